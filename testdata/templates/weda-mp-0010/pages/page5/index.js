Page({
  data: { title: "个人中心" },
  onLoad() {}
})
