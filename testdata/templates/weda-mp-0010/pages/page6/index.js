Page({
  data: { title: "库存管理" },
  onLoad() {}
})
