Page({
  data: { title: "审批" },
  onLoad() {}
})
