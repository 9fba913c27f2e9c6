Page({
  data: { title: "我的" },
  onLoad() {}
})
