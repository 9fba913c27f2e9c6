Page({
  data: { title: "办事指南" },
  onLoad() {}
})
