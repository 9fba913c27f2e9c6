Page({
  data: { title: "分类" },
  onLoad() {}
})
