Page({
  data: { title: "医生" },
  onLoad() {}
})
