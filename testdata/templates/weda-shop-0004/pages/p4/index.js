Page({
  data: { title: "检查报告" },
  onLoad() {}
})
