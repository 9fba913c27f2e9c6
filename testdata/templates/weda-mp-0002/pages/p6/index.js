Page({
  data: { title: "积分商城" },
  onLoad() {}
})
