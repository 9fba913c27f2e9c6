Page({
  data: { title: "应用" },
  onLoad() {}
})
