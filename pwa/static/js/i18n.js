// Words on screen in Chinese and English; the browser's language decides, the header button switches.
const WORDS = {
  signIn: ["Sign in", "登录"], username: ["User name", "用户名"], password: ["Password", "密码"],
  signOut: ["Sign out", "退出"], pick: ["Pick", "拣货"], pack: ["Pack", "打包"], load: ["Load & dispatch", "装车发运"],
  receive: ["Receive", "收货"], transfer: ["Transfer", "调拨"], lookup: ["Look up", "查询"],
  held: ["Held orders", "待审订单"], stock: ["Stock", "库存"], purchase: ["Purchase orders", "采购单"],
  dashboard: ["Dashboard", "看板"], labels: ["Labels & papers", "标签与单据"],
  scanHere: ["Scan or type a code", "扫描或输入条码"], openLists: ["Open pick lists", "待拣货单"],
  newCart: ["New cart (oldest orders)", "新建拣货车（最早订单）"], warehouse: ["Warehouse", "仓库"],
  short: ["Bin has less (short pick)", "库位缺货（短拣）"], scanLocation: ["Scan the location", "扫描库位"],
  stillInBin: ["How many are still in the bin? (0 if empty)", "库位里还剩几件？（空则填 0）"],
  reportShort: ["Report short", "确认短拣"], countDue: ["count", "待盘点"],
  scanProduct: ["Scan the product", "扫描商品"], tote: ["Tote", "周转箱"], done: ["Done", "完成"],
  allPicked: ["All picked: take the cart to packing.", "全部拣完：请送往打包区。"],
  queued: ["waiting to send", "待发送"], offline: ["Offline: scans are kept and sent later", "离线：扫描已保存，联网后发送"],
  sent: ["Sent", "已发送"], scanOrder: ["Scan the order or type its number", "扫描或输入订单号"],
  package: ["Package", "包裹"], weight: ["Weight (g)", "重量（克）"], size: ["Size L×W×H (mm)", "尺寸 长×宽×高（毫米）"],
  newPackage: ["Next package", "下一个包裹"], finishPacking: ["Finish packing", "完成打包"],
  progress: ["Progress", "进度"], weighIt: ["from the scale, e.g. 1200", "按秤上读数，如 1200"], label: ["Label", "标签"], shipment: ["Shipment", "发运单"],
  scanVehicle: ["Scan the vehicle", "扫描车辆"], scanPackages: ["Scan each package", "逐件扫描包裹"],
  confirmDispatch: ["Confirm dispatch", "确认发运"], deliveryNote: ["Delivery note", "发货单"],
  confirmation: ["Shipment confirmation", "发货确认单"], waybill: ["Waybill", "运单"],
  scanPO: ["Scan the purchase order", "扫描采购单"], qty: ["Quantity", "数量"], putAway: ["Put-away location", "上架库位"],
  book: ["Book it", "登记"], to: ["To warehouse", "调入仓库"], add: ["Add", "添加"], create: ["Create", "创建"],
  approve: ["Approve", "批准"], reject: ["Reject", "拒绝"], reason: ["Reason", "原因"], confirm: ["Confirm", "确认"],
  nothing: ["Nothing here.", "暂无内容。"], received: ["Received", "收到"], shipped: ["Shipped", "发出"],
  onTime: ["On time", "准时率"], toShip: ["Order→ship (h)", "下单到发货（小时）"], backordered: ["Backordered", "缺货待补"],
  locationsSheet: ["Location labels", "库位标签"], productsSheet: ["Product labels", "商品标签"],
  needsNetwork: ["This needs the network.", "此操作需要网络。"],
  low: ["low", "库存低"], available: ["available", "可用"], reorderPoint: ["reorder at", "补货点"],
  linkSignIn: ["Signing in with your link…", "正在通过链接登录…"],
  // what an action did, said once it is done (and again when its button is pressed again)
  packed: ["{order} packed: shipment {shipment} · {carrier} {waybill}", "{order} 已打包：发运单 {shipment} · {carrier} {waybill}"],
  dispatched: ["{shipment} dispatched · confirmation {confirmation}", "{shipment} 已发运 · 发货确认单 {confirmation}"],
  transferMade: ["Transfer {number} created: {units} units {from} → {to}", "调拨单 {number} 已创建：{units} 件，{from} → {to}"],
  booked: ["{sku} × {qty} booked in ({po})", "{sku} × {qty} 已登记入库（{po}）"],
  approved: ["{order} approved", "{order} 已批准"], rejected: ["{order} rejected", "{order} 已拒绝"],
  poConfirmed: ["{po} confirmed and sent to the supplier", "{po} 已确认，已发给供应商"],
  replayed: ["done before", "此前已完成"],
  shortQueued: ["Short pick noted — waiting to send", "短拣已记录，待发送"],
  packageEmpty: ["Package {n} is still empty: scan an item into it first.", "包裹 {n} 还是空的：请先扫描商品。"],
  packNothing: ["Nothing packed yet: scan the items first.", "尚未装入商品：请先扫描商品。"],
  transferNothing: ["Scan the products to move first.", "请先扫描要调拨的商品。"],
  transferTo: ["Name the warehouse to move them to.", "请填写调入仓库。"],
  packMissing: ["Not everything is packed yet: {list}", "还有商品未装箱：{list}"],
  nameShipment: ["Type or scan the shipment number first.", "请先输入或扫描发运单号。"],
  refusedSaid: ["Refused: {code} — {message}", "被拒绝：{code} — {message}"],
  expectedIs: ["Expected: {what}", "应为：{what}"],
  qtyWhole: ["The quantity must be a whole number above 0.", "数量必须是大于 0 的整数。"],
  // counters and figures read the same on every screen
  pickedOf: ["picked {done} of {of}", "已拣 {done} / {of}"],
  packedOf: ["packed {done} of {of}", "已装箱 {done} / {of}"],
  loadedOf: ["loaded {done} of {of}", "已装车 {done} / {of}"],
  routeLeft: ["{stops} stops left · {metres} m", "剩余 {stops} 个库位 · {metres} 米"],
  routeLeftOne: ["1 stop left · {metres} m", "剩余 1 个库位 · {metres} 米"],
  refusedCode: ["{code}: {message}", "{code}：{message}"],
  shortMode: ["short pick", "短拣"], loadMode: ["loading", "装车"], pickMode: ["pick", "拣货"],
  clearRefused: ["Clear all refused scans ({n})", "清除全部被拒扫描（{n}）"], scanQueue: ["Scan queue", "扫描队列"],
  refusedCount: ["{n} refused", "{n} 条被拒"], pendingCount: ["{n} waiting to send", "{n} 条待发送"],
  weightNeeded: ["Weigh package {n} and enter its weight in grams.", "请称量包裹 {n}，填写重量（克）。"],
  sizeNeeded: ["Enter the size of package {n} as L×W×H in mm.", "请填写包裹 {n} 的尺寸：长×宽×高（毫米）。"],
  item: ["Product", "商品"], address: ["Address", "地址"], whyHeld: ["Why held", "待审原因"],
  lines: ["Goods", "商品"], total: ["Total", "合计"], customer: ["Customer", "客户"],
  orders: ["Orders", "订单数"], inDays: ["Received ({n})", "收到（{n}）"], outDays: ["Shipped ({n})", "发出（{n}）"],
  heldNow: ["Held orders: {n}", "待审订单：{n}"], day: ["Day", "日期"], chooseWarehouse: ["Warehouse", "仓库"],
  expectedSku: ["Expected one of: {what}", "应为以下之一：{what}"],
  allPacked: ["{sku} is all packed", "{sku} 已全部装箱"],
  notPoProduct: ["{sku} is not on this purchase order: {what}", "{sku} 不在此采购单上：{what}"],
};
// order statuses as words, never the enum values
const STATUS = {
  draft: ["Draft", "草稿"], submitted: ["Submitted", "已提交"], on_hold: ["On hold", "待审核"],
  rejected: ["Rejected", "已拒绝"], approved: ["Approved", "已审核"], allocated: ["Allocated", "已分配"],
  backordered: ["Backordered", "缺货待补"], awaiting_payment: ["Awaiting payment", "待付款"],
  picking: ["Picking", "拣货中"], packed: ["Packed", "已打包"], shipped: ["Shipped", "已发货"],
  delivered: ["Delivered", "已签收"], cancelled: ["Cancelled", "已取消"],
};
let lang = localStorage.getItem("fahuo.lang")
  || ((navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");

// The words for `key`; `{name}` in them is filled from `params`.
export function t(key, params) {
  const pair = WORDS[key];
  const words = pair ? pair[lang === "zh" ? 1 : 0] : key;
  return params ? words.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? "")) : words;
}
// a product's name for the reader: its Chinese name for Chinese readers, when it has one
export function productName(item) {
  if (!item) return "";
  return (lang === "zh" && item.name_zh) || item.name || "";
}
export function statusWord(status) {
  const pair = STATUS[status];
  return pair ? pair[lang === "zh" ? 1 : 0] : status;
}
export function language() { return lang; }
export function switchLanguage() {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("fahuo.lang", lang);
  document.documentElement.lang = lang;
}
