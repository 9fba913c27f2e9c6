Page({
  data: { title: "通讯录" },
  onLoad() {}
})
