Page({
  data: { title: "在线预约" },
  onLoad() {}
})
