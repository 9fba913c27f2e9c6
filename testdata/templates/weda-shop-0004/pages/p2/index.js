Page({
  data: { title: "科室" },
  onLoad() {}
})
