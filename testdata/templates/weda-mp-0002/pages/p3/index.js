Page({
  data: { title: "商品详情" },
  onLoad() {}
})
