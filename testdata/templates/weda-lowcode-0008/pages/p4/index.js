Page({
  data: { title: "进度查询" },
  onLoad() {}
})
