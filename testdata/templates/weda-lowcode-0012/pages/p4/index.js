Page({
  data: { title: "购物车" },
  onLoad() {}
})
