Page({
  data: { title: "首页" },
  onLoad() {}
})
