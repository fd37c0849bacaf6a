"""What the bot says to customers and managers; keys are `bot.<key>` in the catalogue."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "en": "Welcome to fahuo! Share your phone number to see your orders, or browse the "
              "catalogue.",
        "zh": "欢迎使用发货！分享手机号即可查看您的订单，或直接浏览商品。",
    },
    "share_phone": {"en": "📱 Share my phone number", "zh": "📱 分享手机号"},
    "linked": {
        "en": "Thank you, {name}: your orders are linked to this chat.",
        "zh": "谢谢您，{name}：您的订单已与本聊天关联。",
    },
    "help": {
        "en": "Commands: /catalog browse · /cart your cart · /orders your orders · /track NUMBER "
              "· /aftersales help with an order · /lang 中文/English",
        "zh": "命令：/catalog 浏览商品 · /cart 购物车 · /orders 我的订单 · /track 订单号 · "
              "/aftersales 售后 · /lang 切换语言",
    },
    "staff_welcome": {
        "en": "Hello {name}: this chat is linked to your fahuo staff account.",
        "zh": "您好，{name}：本聊天已关联您的发货员工账号。",
    },
    "manager_help": {
        "en": "Manager commands: /report today's figures and sales by product and by customer · "
              "/alerts switch alerts on or off · /login sign in to the warehouse app. Held orders, "
              "after-sales requests, low stock and other alerts arrive here.",
        "zh": "经理命令：/report 今日报表及按商品、按客户的销售 · /alerts 开关提醒 · /login 登录仓库应用。"
              "待审订单、售后申请、库存不足等提醒会发到这里。",
    },
    "staff_help": {
        "en": "Staff commands: /login sign in to the warehouse app.",
        "zh": "员工命令：/login 登录仓库应用。",
    },
    "catalog": {"en": "Catalogue, page {page}/{pages}:", "zh": "商品目录，第 {page}/{pages} 页："},
    "shelves": {"en": "What are you looking for? Choose a shelf:", "zh": "想买点什么？请选择分类："},
    "other_shelf": {"en": "Other", "zh": "其他"},
    "back_to_shelves": {"en": "‹ Shelves", "zh": "‹ 分类"},
    "not_on_sale": {"en": "This product is no longer on sale.", "zh": "该商品已下架。"},
    "product": {
        "en": "{name}\n{sku} · {price} CNY · in stock: {stock}",
        "zh": "{name}\n{sku} · {price} 元 · 库存：{stock}",
    },
    "added": {"en": "Added {qty} × {sku}: {held} in your cart. /cart to check out.",
              "zh": "已加入 {qty} × {sku}，购物车中共 {held} 件。发送 /cart 去结算。"},
    "cart_ask_qty": {"en": "How many {sku} {name}? Send a number (0 takes it out).",
                     "zh": "{sku} {name} 要几件？请发送数字（0 表示移除）。"},
    "cart_bad_qty": {"en": "Please send a whole number from 0 to {most}.", "zh": "请发送 0 至 {most} 的整数。"},
    "cart_stale": {"en": "This cart was checked out or emptied already. /cart shows the one you have now.",
                   "zh": "这个购物车已经结算或清空了。发送 /cart 查看当前购物车。"},
    "cart_empty": {"en": "Your cart is empty. /catalog to browse.", "zh": "购物车是空的。发送 /catalog 浏览商品。"},
    "cart": {"en": "Your cart:\n{lines}\nTotal {total} CNY", "zh": "购物车：\n{lines}\n合计 {total} 元"},
    "checkout": {"en": "Check out", "zh": "去结算"},
    "clear": {"en": "Empty the cart", "zh": "清空"},
    "need_phone": {
        "en": "Please share your phone number first, so we can reach you about the delivery.",
        "zh": "请先分享手机号，方便配送联系。",
    },
    "ask_address": {
        "en": "Delivery address: send it as you would write it on a parcel, with the recipient's name and phone "
              "if the parcel is not for you",
        "zh": "请输入收货地址，像写快递单一样即可；收件人不是您本人时，请附上姓名和电话",
    },
    "bad_address": {
        "en": "I could not make an address of that; please send the province, city, district, street and number",
        "zh": "没能读出地址，请发送省、市、区和街道门牌",
    },
    "check_address": {
        "en": "Please check the address:\n{address}\n{doubts}\nShall we deliver there?",
        "zh": "请核对收货地址：\n{address}\n{doubts}\n送到这里吗？",
    },
    "address_held": {
        "en": "If it is right, we will check it once more before the goods leave.",
        "zh": "如地址无误，发货前我们会再核对一次。",
    },
    "address_ok": {"en": "✅ Yes, deliver there", "zh": "✅ 是，送到这里"},
    "address_again": {"en": "✏️ No, I will type it again", "zh": "✏️ 不对，重新输入"},
    "doubt.address_unplaced": {"en": "⚠️ We could not find the district in it.", "zh": "⚠️ 地址中找不到区县。"},
    "doubt.address_outside_mainland": {"en": "⚠️ It is in {province}, outside the mainland: carrier and customs "
                                             "need checking.",
                                       "zh": "⚠️ 地址在{province}，不在内地，承运和清关需要确认。"},
    "doubt.street_missing": {"en": "⚠️ It names no street and number.", "zh": "⚠️ 地址中没有街道门牌。"},
    "doubt.district_guessed": {"en": "⚠️ More than one district has that name; we took this one.",
                               "zh": "⚠️ 同名的区县不止一个，这是我们的推测。"},
    "doubt.district_loose": {"en": "⚠️ No district has exactly that name; we took the nearest in that city.",
                             "zh": "⚠️ 没有完全同名的区县，我们选了该市最接近的一个。"},
    "doubt.district_renamed": {"en": "⚠️ That district has since been merged or split; we took the likeliest.",
                               "zh": "⚠️ 该区县已撤并或拆分，我们选了最可能的一个。"},
    "doubt.district_overruled": {"en": "⚠️ The places it names disagree; we took the likeliest district.",
                                 "zh": "⚠️ 地址中的地名相互矛盾，我们选了最可能的区县。"},
    "doubt.district_alone": {"en": "⚠️ It gives a district's short name and no city; we took this one.",
                             "zh": "⚠️ 地址只写了区县的简称，没写城市，这是我们的推测。"},
    "doubt.postcode_elsewhere": {"en": "⚠️ Postcode {postcode} is not in {province}.",
                                 "zh": "⚠️ 邮编 {postcode} 不在{province}。"},
    "doubt.phone_elsewhere": {"en": "⚠️ Phone {phone} is from {region}, not {province}.",
                              "zh": "⚠️ 电话 {phone} 归属{region}，不在{province}。"},
    "doubt.parts_disagree": {"en": "⚠️ {district} ({city}) is not in {part}.",
                             "zh": "⚠️ {district}（{city}）不在{part}。"},
    "not_sold": {
        "en": "No longer on sale, so taken out of your cart: {skus}",
        "zh": "以下商品已下架，已从购物车移除：{skus}",
    },
    "only_left": {
        "en": "{sku} {name}: you want {wanted}, only {available} left ({short} short).",
        "zh": "{sku} {name}：您要 {wanted} 件，只剩 {available} 件（缺 {short} 件）。",
    },
    "none_left": {
        "en": "{sku} {name}: you want {wanted}, none left now.",
        "zh": "{sku} {name}：您要 {wanted} 件，目前无货。",
    },
    "rest_follows": {
        "en": "If you order all: what we have ships now, and the rest follows later as an order of its own, "
              "as soon as it arrives.",
        "zh": "如全部下单：现有商品先发，其余商品到货后作为单独的订单发出。",
    },
    "rest_waits": {
        "en": "If you order all: the whole order waits until the rest arrives, then ships in one go.",
        "zh": "如全部下单：整单等其余商品到货后一起发出。",
    },
    "none_available": {
        "en": "None of it is in stock now: you can order it all and wait, or come back later.",
        "zh": "这些商品目前都无货：可以全部下单等待到货，或稍后再来。",
    },
    "rest_follows_chosen": {
        "en": "Not in stock yet, so following later as an order of its own: {items}.",
        "zh": "暂时缺货、到货后作为单独订单发出：{items}。",
    },
    "rest_waits_chosen": {
        "en": "Not in stock yet: {items}; the whole order ships when they arrive.",
        "zh": "暂时缺货：{items}；到货后整单一起发出。",
    },
    "order_all": {"en": "Order all · {total} CNY", "zh": "全部下单 · {total} 元"},
    "order_available": {"en": "Only what is in stock · {total} CNY", "zh": "只买现货 · {total} 元"},
    "ask_saved_address": {
        "en": "Where should it go? Tap one of your addresses, or send a new one as you would write it on a parcel",
        "zh": "送到哪里？请点选您用过的地址，或像写快递单一样发送新地址",
    },
    "new_address": {"en": "➕ A new address", "zh": "➕ 新地址"},
    "address_gone": {
        "en": "That address is not among your saved ones any more; please tap another or send a new one.",
        "zh": "该地址已不在您保存的地址中，请点选其他地址或发送新地址。",
    },
    "deliver_to": {"en": "To: {address}", "zh": "收货地址：{address}"},
    "address_for": {"en": "{place} (for {recipient}, {phone})", "zh": "{place}（{recipient}，{phone}）"},
    "pay_now": {
        "en": "Order {number}: please pay {total} CNY online by {until}; the goods are kept for you meanwhile.",
        "zh": "订单 {number}：请在 {until} 前在线支付 {total} 元，商品已为您预留。",
    },
    "pay_button": {"en": "💳 Pay {total} CNY", "zh": "💳 支付 {total} 元"},
    "pay_online": {"en": "💳 Pay online", "zh": "💳 在线支付"},
    "paid_already": {"en": "Order {number} is paid already. Thank you!", "zh": "订单 {number} 已付款，谢谢！"},
    "ask_date": {"en": "When should it arrive?", "zh": "希望何时送达？"},
    "today": {"en": "Today", "zh": "今天"},
    "tomorrow": {"en": "Tomorrow", "zh": "明天"},
    "any_day": {"en": "Any day", "zh": "不限"},
    "day_gone": {"en": "{day} can no longer be made; the earliest now is {earliest}. Please choose again.",
                 "zh": "{day} 已无法送达，目前最早 {earliest}，请重新选择。"},
    "ask_service": {"en": "How fast?", "zh": "配送速度？"},
    "express": {"en": "Express", "zh": "特快"},
    "standard": {"en": "Standard", "zh": "标准"},
    "economy": {"en": "Economy", "zh": "经济"},
    "ask_payment": {"en": "How will you pay?", "zh": "付款方式？"},
    "prepaid": {"en": "Pay online", "zh": "在线支付"},
    "cod": {"en": "Cash on delivery", "zh": "货到付款"},
    "summary": {
        "en": "Please confirm:\n{lines}\nTo: {address}\nDelivery: {date}, {service}\nPayment: "
              "{payment}\nTotal {total} CNY",
        "zh": "请确认：\n{lines}\n收货：{address}\n配送：{date}，{service}\n付款：{payment}\n合计 "
              "{total} 元",
    },
    "confirm": {"en": "Confirm order", "zh": "确认下单"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "placed": {"en": "Order {number} received: {status}.", "zh": "订单 {number} 已收到：{status}。"},
    "placed.ready": {"en": "Order {number} received: we are getting it ready.",
                     "zh": "订单 {number} 已收到：正在备货。"},
    "placed.transfer": {"en": "Order {number} received: part of it is coming from another warehouse of ours; it ships "
                                 "when all is there.",
                        "zh": "订单 {number} 已收到：部分商品正从其他仓库调来，到齐后发出。"},
    "placed.backorder": {"en": "Order {number} received: part of it is not in stock yet; it ships when it arrives.",
                         "zh": "订单 {number} 已收到：部分商品暂时缺货，到货后发出。"},
    "placed.held": {"en": "Order {number} received; we will be in touch shortly.",
                    "zh": "订单 {number} 已收到，我们会尽快与您联系。"},
    "dropped": {"en": "Checkout cancelled; your cart is kept.", "zh": "已取消结算，购物车已保留。"},
    "no_orders": {"en": "No orders yet.", "zh": "还没有订单。"},
    "orders": {"en": "Your orders:", "zh": "您的订单："},
    "track_usage": {
        "en": "Send /track and the order number, e.g. /track SO-20261125-00001",
        "zh": "请发送 /track 加订单号，例如 /track SO-20261125-00001",
    },
    "not_yours": {"en": "No order {number} was found for you.", "zh": "没有找到您的订单 {number}。"},
    "status": {"en": "Order {number}: {status}\n{lines}", "zh": "订单 {number}：{status}\n{lines}"},
    "requested": {"en": "Wanted by: {date}", "zh": "要求送达：{date}"},
    "journey": {"en": "On its way:", "zh": "物流进度："},
    "cancel_order": {"en": "Cancel this order", "zh": "取消此订单"},
    "track_link": {"en": "Track online", "zh": "在线查看物流"},
    "as_pick_order": {"en": "Which order is it about?", "zh": "请选择需要售后的订单："},
    "as_none": {"en": "Only shipped orders can have after-sales help.", "zh": "只有已发货的订单可以申请售后。"},
    "as_kind": {"en": "What happened?", "zh": "遇到了什么问题？"},
    "return": {"en": "Return", "zh": "退货"},
    "exchange": {"en": "Exchange", "zh": "换货"},
    "damage": {"en": "Damaged", "zh": "破损"},
    "missing_item": {"en": "Item missing", "zh": "少件"},
    "as_lines": {
        "en": "Which goods, and how many? Tap − and + (the middle button takes all of a line), then Next.",
        "zh": "涉及哪些商品、多少件？请点 − 和 +（点中间的按钮选该商品全部），然后点下一步。",
    },
    "as_line": {"en": "{sku} {name}: {qty} of {claimable}", "zh": "{sku} {name}：{qty}/{claimable} 件"},
    "as_nothing_left": {
        "en": "Everything of order {number} is already in an after-sales request.",
        "zh": "订单 {number} 的全部商品都已在售后申请中。",
    },
    "as_choose_one": {"en": "Please choose at least one item first.", "zh": "请先至少选择一件商品。"},
    "as_chosen": {"en": "About: {lines}", "zh": "涉及商品：{lines}"},
    "as_again": {
        "en": "Meanwhile part of it was asked about in another request; please choose again from what is left.",
        "zh": "其间部分商品已在另一个售后申请中，请从剩余商品中重新选择。",
    },
    "next": {"en": "Next ›", "zh": "下一步 ›"},
    "as_text": {"en": "Please describe it in a few words.", "zh": "请简单描述一下情况。"},
    "as_photos": {
        "en": "Send photos if you have them (up to 5), then press Done.",
        "zh": "如有照片请发送（最多 5 张），然后点完成。",
    },
    "photo_ok": {"en": "Photo {n} received.", "zh": "已收到第 {n} 张照片。"},
    "done": {"en": "Done", "zh": "完成"},
    "as_opened": {
        "en": "Request {number} opened; a manager will answer soon.",
        "zh": "售后申请 {number} 已提交，经理会尽快回复。",
    },
    "slow_down": {"en": "Too many messages at once; please wait a moment.", "zh": "消息太频繁，请稍候。"},
    "error": {
        "en": "Sorry, something went wrong on our side; nothing was changed. Please try again.",
        "zh": "抱歉，系统出错，未做任何更改。请重试。",
    },
    "lang_set": {"en": "Language: English", "zh": "语言：中文"},
    "already_done": {
        "en": "Already done: the step of this button is over, so nothing more was done.",
        "zh": "已经处理过了：此按钮的步骤已经完成，未再次执行。",
    },
    "login_link": {
        "en": "Your sign-in link for the warehouse app (valid 15 minutes, once):\n{url}",
        "zh": "仓库应用登录链接（15 分钟内有效，仅限一次）：\n{url}",
    },
    "not_staff": {"en": "This chat is not linked to a staff account.", "zh": "此聊天未关联员工账号。"},
    "not_allowed": {"en": "Your role may not do this.", "zh": "您的角色无权执行此操作。"},
    "approve": {"en": "Approve", "zh": "批准"},
    "reject": {"en": "Reject", "zh": "拒绝"},
    "reject_reason": {
        "en": "Why reject {number}? The customer will read it.",
        "zh": "拒绝 {number} 的原因？客户会看到。",
    },
    "decided": {"en": "{number}: {status}", "zh": "{number}：{status}"},
    "as_settle": {"en": "How is {number} settled? The customer paid {paid} for {items}.{back}",
                  "zh": "{number} 如何处理？客户为 {items} 实付 {paid}。{back}"},
    "as_settle_back": {"en": " The goods come back to {address} first.", "zh": "商品先寄回：{address}。"},
    "as_refund_all": {"en": "💸 Refund {paid}", "zh": "💸 退款 {paid}"},
    "as_refund_other": {"en": "✏️ Refund another amount", "zh": "✏️ 退款其他金额"},
    "as_replace": {"en": "📦 Send them again", "zh": "📦 补发"},
    "as_back_only": {"en": "↩️ Only take them back for now", "zh": "↩️ 先寄回，再定"},
    "as_ask_amount": {"en": "How much is refunded for {number}? At most {paid}.",
                      "zh": "{number} 退款多少？最多 {paid}。"},
    "as_bad_amount": {"en": "Please send an amount such as 50 or 49.90.", "zh": "请发送金额，例如 50 或 49.90。"},
    "as_decided": {"en": "{number}: {status} — {outcome}.", "zh": "{number}：{status}。{outcome}。"},
    "confirm_po": {"en": "Confirm the purchase order", "zh": "确认采购单"},
    "po_confirmed": {"en": "{number} confirmed and sent to the supplier.", "zh": "{number} 已确认并发送给供应商。"},
    "alerts": {"en": "Alerts (tap to switch):", "zh": "提醒（点击切换）："},
    "report": {
        "en": "Today: {received} orders in, {shipped} shipped; on time {on_time}; held {held}, "
              "backordered {back}",
        "zh": "今天：收到 {received} 单，发出 {shipped} 单；准时率 {on_time}；待审 {held}，缺货 "
              "{back}",
    },
    "sales_by_product": {
        "en": "Sales by product, {first} – {last} ({days} days), amounts in {currency}:",
        "zh": "按商品销售，{first}至{last}（{days} 天），金额单位：{currency}",
    },
    "sales_by_customer": {
        "en": "Sales by customer, {first} – {last} ({days} days), amounts in {currency}:",
        "zh": "按客户销售，{first}至{last}（{days} 天），金额单位：{currency}",
    },
    "sales_product": {"en": "SKU", "zh": "商品编码"},
    "sales_customer": {"en": "Customer", "zh": "客户"},
    "sales_units": {"en": "Units", "zh": "件数"},
    "sales_amount": {"en": "Amount", "zh": "金额"},
    "sales_orders": {"en": "Orders", "zh": "单数"},
    "sales_totals": {
        "en": "Top {shown} of {entries}. In all: {qty} units, {amount} {currency}, {orders} orders.",
        "zh": "前 {shown} 名，共 {entries} 项。合计：{qty} 件，{amount} {currency}，{orders} 单。",
    },
    "sales_none": {"en": "No sales in these days.", "zh": "这段时间没有销售。"},
    "sales_days": {"en": "{days} days", "zh": "{days} 天"},
    "sales_view_product": {"en": "By product", "zh": "按商品"},
    "sales_view_customer": {"en": "By customer", "zh": "按客户"},
    "n.order.approved": {
        "en": "Order {order} is confirmed; we are getting it ready.",
        "zh": "订单 {order} 已确认，正在备货。",
    },
    # the review's reasons are written for the manager who decides ("confirm it with the customer"): not here
    "n.order.on_hold": {
        "en": "Order {order} needs a quick check by our team before it goes ahead. We will be in touch.",
        "zh": "订单 {order} 需要我们稍作核对后再处理，我们会尽快联系您。",
    },
    "n.order.backordered": {
        "en": "Part of order {order} is on its way to our warehouse; we will ship it as soon as "
              "it arrives.",
        "zh": "订单 {order} 部分商品正在调货，到货后立即发出。",
    },
    "n.order.split": {
        "en": "Order {order}: what we have is being made ready now; the rest ({items}) follows "
              "as order {follow_on} as soon as it arrives.",
        "zh": "订单 {order}：现有商品正在备货；其余商品（{items}）到货后将作为订单 {follow_on} "
              "发出。",
    },
    "n.order.rejected": {
        "en": "We are sorry: order {order} could not be accepted ({reason}).",
        "zh": "很抱歉，订单 {order} 无法受理（{reason}）。",
    },
    "n.order.cancelled": {"en": "Order {order} is cancelled.", "zh": "订单 {order} 已取消。"},
    "n.order.cancelled_with_rest": {
        "en": "Order {order} is cancelled, and with it {follow_ons}, which was to bring the rest.",
        "zh": "订单 {order} 已取消，其余商品的后续订单 {follow_ons} 也一并取消。",
    },
    "n.shipment.dispatched": {
        "en": "Order {order} has shipped with {carrier}, waybill {waybill}. Expected by "
              "{eta}.\n{tracking_url}",
        "zh": "订单 {order} 已由 {carrier} 发出，运单号 {waybill}，预计 {eta} 送达。"
              "\n{tracking_url}",
    },
    "n.order.delivered": {"en": "Order {order} was delivered. Thank you!", "zh": "订单 {order} 已送达，谢谢！"},
    "n.order.paid": {"en": "We received your payment of {total} CNY for order {order}. Thank you!",
                     "zh": "已收到订单 {order} 的付款 {total} 元，谢谢！"},
    "m.payment.refund_due": {"en": "💸 {order} is closed but was paid online ({amount} {currency}, {ref}): "
                                   "refund it.",
                             "zh": "💸 {order} 已关闭，但已在线付款（{amount} {currency}，{ref}），请退款。"},
    "n.aftersales.awaiting_return": {
        "en": "Request {request} is approved: {outcome}. {more}",
        "zh": "售后 {request} 已同意：{outcome}。{more}",
    },
    "n.aftersales.resolved": {"en": "Request {request} is settled: {outcome}. {more}",
                              "zh": "售后 {request} 已处理：{outcome}。{more}"},
    "n.aftersales.rejected": {"en": "Request {request} was declined: {note}", "zh": "售后 {request} 未通过：{note}"},
    "m.order.on_hold": {"en": "⚠ Held: {order}, {customer}, {amount} — {reason}\n{items}",
                        "zh": "⚠ 待审：{order}，{customer}，{amount} — {reason}\n{items}"},
    "warehouse_unknown": {"en": "(warehouse unknown)", "zh": "（仓库未知）"},
    "m.stock.low": {
        "en": "📉 Low stock: {sku} in {warehouse}: {available} left, reorder at {reorder_point}",
        "zh": "📉 库存低：{sku}（{warehouse}）剩 {available}，补货点 {reorder_point}",
    },
    "m.stock.short_pick": {
        "en": "📉 Short pick: {sku} at {location} in {warehouse}, {missing} missing; please count the bin.",
        "zh": "📉 短拣：{warehouse} {location} 的 {sku} 缺 {missing} 件，请盘点。",
    },
    "m.purchase_order.drafted": {
        "en": "🧾 Purchase order draft {purchase_order}: from {supplier}, for {warehouse}",
        "zh": "🧾 采购单草稿 {purchase_order}：供应商 {supplier}，收货仓库 {warehouse}",
    },
    "m.shipment.late": {
        "en": "⏰ {count} late orders ({why}): {orders}",
        "zh": "⏰ {count} 个订单延误（{why}）：{orders}",
    },
    "m.report.daily": {
        "en": "📊 {day}: {received} orders in, {approved} approved, {shipped} shipped; on time "
              "{on_time}; order→ship {order_to_ship_hours} h; backordered {backordered}; top: "
              "{top}; stock alerts {stock_alerts}",
        "zh": "📊 {day}：收到 {received} 单，批准 {approved}，发出 {shipped}；准时率 {on_time}；"
              "下单到发货 {order_to_ship_hours} 小时；缺货 {backordered}；热销：{top}；库存提醒 "
              "{stock_alerts}",
    },
    "m.ledger.drift": {
        "en": "❗ Stock ledger drift: {count} problem(s), e.g. {first}. Run `run.py check`.",
        "zh": "❗ 库存账不一致：{count} 处，例如 {first}。请运行 run.py check。",
    },
    "n.order.awaiting_payment": {
        "en": "Order {order}: we have not received the payment yet, so the goods are no longer "
              "reserved. Pay and we will ship as soon as we can.",
        "zh": "订单 {order}：尚未收到付款，商品已不再预留。付款后我们会尽快发货。",
    },
    "m.aftersales.refund_due": {
        "en": "💸 After-sales {request} ({order}) is approved with a refund of {amount}: pay it back.",
        "zh": "💸 售后 {request}（{order}）已批准退款 {amount}，请退款。",
    },
    "m.aftersales.opened": {
        "en": "🛠 After-sales {request} for {order} ({kind}): {text}",
        "zh": "🛠 售后 {request}（{order}，{kind}）：{text}",
    },
    "m.shipment.no_carrier": {
        "en": "🚚 No carrier for {shipment} ({order}): {why}",
        "zh": "🚚 {shipment}（{order}）无可用承运商：{why}",
    },
    "m.shipment.carrier_failed": {
        "en": "⚠️ {carrier} could not issue a waybill for {shipment} ({order}): {why}. {next}",
        "zh": "⚠️ {carrier} 未能为 {shipment}（{order}）出单：{why}。{next}",
    },
    "m.shipment.date_missed": {
        "en": "📅 {order} will arrive after the customer's requested date {requested}: no carrier "
              "makes it. {shipment} goes with {carrier}, arriving {arrives}.",
        "zh": "📅 {order} 无法在客户要求的 {requested} 前送达：没有承运商能做到。{shipment} 由 "
              "{carrier} 承运，预计 {arrives} 送达。",
    },
    "m.channel.cancel_too_late": {
        "en": "🛒 {channel} cancelled its order {ref}, but {order} is already {status}: it was not cancelled "
              "here. Please settle it with the customer.",
        "zh": "🛒 {channel} 取消了订单 {ref}，但 {order} 状态为 {status}，本系统未取消。请与客户协商处理。",
    },
    "m.channel.order_refused": {
        "en": "🛒 An order from {channel} ({label}) could not be taken in: {why}. Please enter it by hand or fix "
              "it in the shop.",
        "zh": "🛒 来自 {channel} 的订单（{label}）无法导入：{why}。请手动录入或在网店中修改。",
    },
    "m.channel.pull_refused": {
        "en": "🛒 {channel} refuses to give fahuo its orders: {why}. No orders come in from it until its settings "
              "(app key, secret, session) are fixed.",
        "zh": "🛒 {channel} 拒绝向本系统提供订单：{why}。请修正其设置（应用密钥、会话授权），否则无法导入订单。",
    },
    "m.channel.write_back_slow": {
        "en": "🛒 {channel} has not taken the tracking of {shipment} ({order}) after {tries} tries: {why}. "
              "fahuo keeps trying.",
        "zh": "🛒 {channel} 尝试 {tries} 次仍未接收 {shipment}（{order}）的物流信息：{why}。系统将继续重试。",
    },
    "m.channel.write_back_failed": {
        "en": "🛒 {channel} was not told that {shipment} ({order}) shipped ({tries} tries): {why}. Please enter "
              "the tracking in the shop by hand.",
        "zh": "🛒 未能通知 {channel}：{shipment}（{order}）已发货（尝试 {tries} 次）：{why}。"
              "请在网店后台手动填写物流信息。",
    },
    "m.transfer.raised": {
        "en": "🚚 Transfer {transfer}: please send {items} ({units} in all) from {source} to {target}.",
        "zh": "🚚 调拨单 {transfer}：请从 {source} 发出 {items}（共 {units} 件）至 {target}。",
    },
    "m.webhook.failed": {
        "en": "🔌 Webhook {subscription} ({url}) stopped taking events: {event} was given up after {attempts} "
              "tries. {why} Later events are still tried; see its delivery log.",
        "zh": "🔌 事件推送订阅 {subscription}（{url}）无法接收事件：{event} 尝试 {attempts} 次后放弃。{why}"
              "之后的事件仍会继续推送，请查看其推送记录。",
    },
    "m.route_plan.sent": {
        "en": "🚐 {company}\nRoute for {plate} on {day} ({count} stops, {packages} packages, {km} km):\n{stops}{cod}",
        "zh": "🚐 {company}\n{plate} 的 {day} 配送路线（{count} 站，{packages} 件，{km} 公里）：\n{stops}{cod}",
    },
}
