Page({
  data: { title: "组织架构" },
  onLoad() {}
})
