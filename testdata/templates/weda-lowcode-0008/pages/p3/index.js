Page({
  data: { title: "在线申报" },
  onLoad() {}
})
