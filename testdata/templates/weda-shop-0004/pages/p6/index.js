Page({
  data: { title: "课程视频" },
  onLoad() {}
})
