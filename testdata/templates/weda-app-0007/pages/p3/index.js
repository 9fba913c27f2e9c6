Page({
  data: { title: "考勤" },
  onLoad() {}
})
