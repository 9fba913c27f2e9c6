Page({
  data: { title: "附近门店" },
  onLoad() {}
})
