Page({
  data: { title: "出勤" },
  onLoad() {}
})
