Page({
  data: { title: "申请" },
  onLoad() {}
})
