Page({
  data: { title: "工作台" },
  onLoad() {}
})
