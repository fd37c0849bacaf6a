"""What the bot says, in English and Chinese."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, tuple[str, str]] = {
    "welcome": ("Welcome to fahuo! Share your phone number to see your orders, or browse the catalogue.",
                "欢迎使用发货!分享手机号即可查看您的订单,或直接浏览商品。"),
    "share_phone": ("📱 Share my phone number", "📱 分享手机号"),
    "linked": ("Thank you, {name}: your orders are linked to this chat.", "谢谢您,{name}:您的订单已与本聊天关联。"),
    "help": ("Commands: /catalog browse · /cart your cart · /orders your orders · /track NUMBER · "
             "/aftersales help with an order · /lang 中文/English",
             "命令:/catalog 浏览商品 · /cart 购物车 · /orders 我的订单 · /track 订单号 · /aftersales 售后 · "
             "/lang 切换语言"),
    "staff_welcome": ("Hello {name}: this chat is linked to your fahuo staff account.",
                      "您好,{name}:本聊天已关联您的发货员工账号。"),
    "manager_help": ("Manager commands: /report today's figures and chart · /alerts switch alerts on or off · "
                     "/login sign in to the warehouse app. Held orders, low stock and other alerts arrive here.",
                     "经理命令:/report 今日报表与图表 · /alerts 开关提醒 · /login 登录仓库应用。"
                     "待审订单、库存不足等提醒会发到这里。"),
    "staff_help": ("Staff commands: /login sign in to the warehouse app.", "员工命令:/login 登录仓库应用。"),
    "catalog": ("Catalogue, page {page}/{pages}:", "商品目录,第 {page}/{pages} 页:"),
    "product": ("{name}\n{sku} · {price} CNY · in stock: {stock}", "{name}\n{sku} · {price} 元 · 库存:{stock}"),
    "added": ("Added {qty} × {sku}. /cart to check out.", "已加入 {qty} × {sku}。发送 /cart 去结算。"),
    "cart_empty": ("Your cart is empty. /catalog to browse.", "购物车是空的。发送 /catalog 浏览商品。"),
    "cart": ("Your cart:\n{lines}\nTotal {total} CNY", "购物车:\n{lines}\n合计 {total} 元"),
    "checkout": ("Check out", "去结算"), "clear": ("Empty the cart", "清空"),
    "need_phone": ("Please share your phone number first, so we can reach you about the delivery.",
                   "请先分享手机号,方便配送联系。"),
    "ask_address": ("Delivery address, separated by commas: province, city, district, street and number, postcode",
                    "请输入收货地址,用逗号分隔:省,市,区,街道门牌,邮编"),
    "bad_address": ("Please send it as: province, city, district, street and number, postcode",
                    "请按格式发送:省,市,区,街道门牌,邮编"),
    "ask_date": ("When should it arrive?", "希望何时送达?"),
    "today": ("Today", "今天"), "tomorrow": ("Tomorrow", "明天"), "any_day": ("Any day", "不限"),
    "ask_service": ("How fast?", "配送速度?"),
    "express": ("Express", "特快"), "standard": ("Standard", "标准"), "economy": ("Economy", "经济"),
    "ask_payment": ("How will you pay?", "付款方式?"),
    "prepaid": ("Pay online", "在线支付"), "cod": ("Cash on delivery", "货到付款"),
    "summary": ("Please confirm:\n{lines}\nTo: {address}\nDelivery: {date}, {service}\nPayment: {payment}\n"
                "Total {total} CNY", "请确认:\n{lines}\n收货:{address}\n配送:{date},{service}\n付款:{payment}\n"
                "合计 {total} 元"),
    "confirm": ("Confirm order", "确认下单"), "cancel": ("Cancel", "取消"),
    "placed": ("Order {number} received: {status}.", "订单 {number} 已收到:{status}。"),
    "dropped": ("Checkout cancelled; your cart is kept.", "已取消结算,购物车已保留。"),
    "no_orders": ("No orders yet.", "还没有订单。"),
    "orders": ("Your orders:", "您的订单:"),
    "track_usage": ("Send /track and the order number, e.g. /track SO-20261125-00001",
                    "请发送 /track 加订单号,例如 /track SO-20261125-00001"),
    "not_yours": ("No order {number} was found for you.", "没有找到您的订单 {number}。"),
    "status": ("Order {number}: {status}\n{lines}", "订单 {number}:{status}\n{lines}"),
    "requested": ("Wanted by: {date}", "要求送达：{date}"),
    "cancel_order": ("Cancel this order", "取消此订单"),
    "track_link": ("Track online", "在线查看物流"),
    "as_pick_order": ("Which order is it about?", "请选择需要售后的订单:"),
    "as_none": ("Only shipped orders can have after-sales help.", "只有已发货的订单可以申请售后。"),
    "as_kind": ("What happened?", "遇到了什么问题?"),
    "return": ("Return", "退货"), "exchange": ("Exchange", "换货"), "damage": ("Damaged", "破损"),
    "missing_item": ("Item missing", "少件"),
    "as_text": ("Please describe it in a few words.", "请简单描述一下情况。"),
    "as_photos": ("Send photos if you have them (up to 5), then press Done.", "如有照片请发送(最多 5 张),然后点完成。"),
    "photo_ok": ("Photo {n} received.", "已收到第 {n} 张照片。"),
    "done": ("Done", "完成"),
    "as_opened": ("Request {number} opened; a manager will answer soon.", "售后申请 {number} 已提交,经理会尽快回复。"),
    "slow_down": ("Too many messages at once; please wait a moment.", "消息太频繁,请稍候。"),
    "error": ("Sorry, something went wrong on our side; nothing was changed. Please try again.",
              "抱歉,系统出错,未做任何更改。请重试。"),
    "lang_set": ("Language: English", "语言:中文"),
    "login_link": ("Your sign-in link for the warehouse app (valid 15 minutes, once):\n{url}",
                   "仓库应用登录链接(15 分钟内有效,仅限一次):\n{url}"),
    "not_staff": ("This chat is not linked to a staff account.", "此聊天未关联员工账号。"),
    "not_allowed": ("Your role may not do this.", "您的角色无权执行此操作。"),
    "approve": ("Approve", "批准"), "reject": ("Reject", "拒绝"),
    "reject_reason": ("Why reject {number}? The customer will read it.", "拒绝 {number} 的原因?客户会看到。"),
    "decided": ("{number}: {status}", "{number}:{status}"),
    "confirm_po": ("Confirm the purchase order", "确认采购单"),
    "po_confirmed": ("{number} confirmed and sent to the supplier.", "{number} 已确认并发送给供应商。"),
    "alerts": ("Alerts (tap to switch):", "提醒(点击切换):"),
    "report": ("Today: {received} orders in, {shipped} shipped; on time {on_time}; held {held}, backordered {back}",
               "今天:收到 {received} 单,发出 {shipped} 单;准时率 {on_time};待审 {held},缺货 {back}"),
    # notifications
    "n.order.approved": ("Order {order} is confirmed; we are getting it ready.", "订单 {order} 已确认,正在备货。"),
    "n.order.on_hold": ("Order {order} needs a quick check by our team before it goes ahead ({reason}). "
                        "We will be in touch.", "订单 {order} 需要我们稍作核对后再处理({reason}),我们会尽快联系您。"),
    "n.order.backordered": ("Part of order {order} is on its way to our warehouse; we will ship it as soon as it "
                            "arrives.", "订单 {order} 部分商品正在调货,到货后立即发出。"),
    "n.order.split": ("Order {order}: what we have is being made ready now; the rest ({items}) follows as order "
                      "{follow_on} as soon as it arrives.",
                      "订单 {order}:现有商品正在备货;其余商品({items})到货后将作为订单 {follow_on} 发出。"),
    "n.order.rejected": ("We are sorry: order {order} could not be accepted ({reason}).",
                         "很抱歉,订单 {order} 无法受理({reason})。"),
    "n.order.cancelled": ("Order {order} is cancelled.", "订单 {order} 已取消。"),
    "n.order.cancelled_with_rest": ("Order {order} is cancelled, and with it {follow_ons}, which was to bring "
                                    "the rest.",
                                    "订单 {order} 已取消，其余商品的后续订单 {follow_ons} 也一并取消。"),
    "n.shipment.dispatched": ("Order {order} has shipped with {carrier}, waybill {waybill}. Expected by {eta}.\n"
                              "{tracking_url}", "订单 {order} 已由 {carrier} 发出,运单号 {waybill},预计 {eta} 送达。\n"
                              "{tracking_url}"),
    "n.order.delivered": ("Order {order} was delivered. Thank you!", "订单 {order} 已送达,谢谢!"),
    "n.aftersales.awaiting_return": ("Request {request}: approved, please send the goods back. {note}",
                                     "售后 {request}:已同意,请寄回商品。{note}"),
    "n.aftersales.resolved": ("Request {request} is settled: {note}", "售后 {request} 已处理:{note}"),
    "n.aftersales.rejected": ("Request {request} was declined: {note}", "售后 {request} 未通过:{note}"),
    "m.order.on_hold": ("⚠ Held: {order} — {reason}", "⚠ 待审:{order} — {reason}"),
    "m.stock.low": ("📉 Low stock: {sku} in warehouse {warehouse_id}: {available} left, reorder at {reorder_point}",
                    "📉 库存低:{sku}(仓库 {warehouse_id})剩 {available},补货点 {reorder_point}"),
    "m.stock.short_pick": ("📉 Short pick: {sku} at {location}, {missing} missing; please count the bin.",
                           "📉 短拣:{location} 的 {sku} 缺 {missing} 件,请盘点。"),
    "m.purchase_order.drafted": ("🧾 Purchase order draft {purchase_order}", "🧾 采购单草稿 {purchase_order}"),
    "m.shipment.late": ("⏰ {count} late orders ({why}): {orders}", "⏰ {count} 个订单延误({why}):{orders}"),
    "m.report.daily": ("📊 {day}: {received} orders in, {approved} approved, {shipped} shipped; on time {on_time}; "
                       "order→ship {order_to_ship_hours} h; backordered {backordered}; top: {top}; "
                       "stock alerts {stock_alerts}",
                       "📊 {day}:收到 {received} 单,批准 {approved},发出 {shipped};准时率 {on_time};"
                       "下单到发货 {order_to_ship_hours} 小时;缺货 {backordered};热销:{top};库存提醒 {stock_alerts}"),
    "m.ledger.drift": ("❗ Stock ledger drift: {count} problem(s), e.g. {first}. Run `run.py check`.",
                       "❗ 库存账不一致:{count} 处,例如 {first}。请运行 run.py check。"),
    "n.order.awaiting_payment": ("Order {order}: we have not received the payment yet, so the goods are no longer "
                                 "reserved. Pay and we will ship as soon as we can.",
                                 "订单 {order}:尚未收到付款,商品已不再预留。付款后我们会尽快发货。"),
    "m.aftersales.opened": ("🛠 After-sales {request} for {order} ({kind}): {text}",
                            "🛠 售后 {request}({order},{kind}):{text}"),
    "m.shipment.no_carrier": ("🚚 No carrier for {shipment} ({order}): {why}",
                              "🚚 {shipment}（{order}）无可用承运商：{why_zh}"),
    "m.shipment.date_missed": ("📅 {order} will arrive after the customer's requested date {requested}: no carrier "
                               "makes it. {shipment} goes with {carrier}, arriving {arrives}.",
                               "📅 {order} 无法在客户要求的 {requested} 前送达：没有承运商能做到。"
                               "{shipment} 由 {carrier} 承运，预计 {arrives} 送达。"),
    "m.transfer.raised": ("🚚 Transfer {transfer}: please send {items} from {source} to {target}.",
                          "🚚 调拨单 {transfer}：请从 {source} 发出 {items}（共 {units} 件）至 {target}。"),
    "m.route_plan.sent": ("🚐 Route for {plate} on {day} ({count} stops, {km} km):\n{stops}",
                          "🚐 {plate} 的 {day} 配送路线（{count} 站，{km} 公里）：\n{stops}"),
}


class _Blank(dict):  # a missing field prints as nothing rather than failing the whole message
    def __missing__(self, key: str) -> str:
        return ""


def say(lang: str, key: str, **params: Any) -> str:
    en, zh = TEXTS.get(key, (key, key))
    return (zh if lang == "zh" else en).format_map(_Blank(params))


def language_of(code: str | None) -> str:
    return "zh" if (code or "").lower().startswith("zh") else "en"
