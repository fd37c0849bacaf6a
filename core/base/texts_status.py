"""Every state a person may see, as a word: `status.<kind>.<value>`, kind naming the enum it comes from.

The article fahuo follows names an approved order 已审核 and a shipped one 已发货; these are its words."""

from __future__ import annotations

_STATES: dict[str, dict[str, tuple[str, str]]] = {
    "order": {  # core.orders.order.OrderStatus
        "draft": ("Draft", "草稿"), "submitted": ("Submitted", "已提交"), "on_hold": ("On hold", "待审核"),
        "rejected": ("Rejected", "已拒绝"), "approved": ("Approved", "已审核"), "allocated": ("Allocated", "待拣货"),
        "backordered": ("Backordered", "缺货待补"), "awaiting_payment": ("Awaiting payment", "待付款"),
        "picking": ("Picking", "拣货中"), "packed": ("Packed", "已打包"), "shipped": ("Shipped", "已发货"),
        "delivered": ("Delivered", "已签收"), "cancelled": ("Cancelled", "已取消"),
    },
    "shipment": {  # core.shipping.shipments.ShipmentStatus
        "packed": ("Packed", "已打包"), "stuck": ("Stuck: no carrier allowed", "受阻：无承运商可承运"),
        "booked": ("Carrier booked", "已约承运商"), "loading": ("Loading", "装车中"),
        "dispatched": ("Dispatched", "已发货"), "delivered": ("Delivered", "已签收"),
        "cancelled": ("Cancelled", "已取消"),
    },
    "print_job": {  # core.shipping.printing.JobState
        "queued": ("Waiting for the printer", "等待打印"), "printed": ("Printed", "已打印"),
    },
    "pick_list": {  # core.floor.picking.PickListStatus
        "open": ("Being picked", "拣货中"), "done": ("Picked", "已拣完"),
    },
    "pick_task": {  # core.floor.picking.TaskState
        "pending": ("To pick", "待拣货"), "done": ("Picked", "已拣货"), "short": ("Short", "短拣"),
        "cancelled": ("Cancelled", "已取消"),
    },
    "transfer": {  # core.stock.transfers.TransferStatus
        "draft": ("To send", "待调出"), "shipped": ("On the way", "调拨在途"), "received": ("Received", "已调入"),
        "cancelled": ("Cancelled", "已取消"),
    },
    "purchase_order": {  # core.stock.replenishment.PoStatus
        "draft": ("Draft", "草稿"), "confirmed": ("Confirmed", "已确认"),
        "partially_received": ("Partly received", "部分到货"), "received": ("Received", "已到货"),
        "cancelled": ("Cancelled", "已取消"),
    },
    "job": {  # core.base.jobs.JobState
        "waiting": ("Waiting (tried again by itself)", "等待中（自动重试）"), "done": ("Done", "已完成"),
        "failed": ("Failed: a person must look", "失败，需人工处理"),
    },
    "job_kind": {  # the job queue's kinds (core.base.jobs.handles)
        "waybill.book": ("Ask carriers for a waybill", "向承运商申请运单"),
        "waybill.cancel": ("Tell a carrier a waybill is void", "通知承运商作废运单"),
        "tracking.subscribe": ("Ask a carrier to push tracking", "向承运商订阅轨迹推送"),
        "telegram.message": ("A message in Telegram", "Telegram 消息"),
        "print": ("Labels to a printer", "打印标签"),
        "webhook": ("An event to a webhook receiver", "向订阅方推送事件"),
    },
    "aftersales": {  # core.shipping.aftersales.RequestStatus
        "open": ("Open", "待处理"), "awaiting_return": ("Awaiting the goods", "待退回"),
        "received": ("Goods received", "已收到退货"), "resolved": ("Settled", "已处理"),
        "rejected": ("Declined", "已拒绝"),
    },
    "aftersales_kind": {  # core.shipping.aftersales.RequestKind
        "return": ("Return", "退货"), "exchange": ("Exchange", "换货"), "damage": ("Damaged", "破损"),
        "missing_item": ("Item missing", "少件"),
    },
    "tracking": {  # core.shipping.tracking.TrackingCode
        "picked_up": ("Picked up", "已揽收"), "in_transit": ("In transit", "运输中"),
        "arrived": ("Arrived at the local depot", "已到达网点"), "out_for_delivery": ("Out for delivery", "派送中"),
        "delivered": ("Delivered", "已签收"), "exception": ("Problem with the delivery", "配送异常"),
    },
    "payment_method": {  # core.orders.order.PaymentMethod
        "prepaid": ("Paid online", "在线支付"), "cod": ("Cash on delivery", "货到付款"),
        "credit": ("On account", "账期付款"),
    },
    "payment": {  # core.orders.order.PaymentState
        "pending": ("Not paid yet", "待付款"), "paid": ("Paid", "已付款"), "refunded": ("Refunded", "已退款"),
    },
    "review": {"pass": ("Passed", "通过"), "hold": ("Held", "待审核"), "reject": ("Rejected", "拒绝")},
    "role": {  # core.base.auth.Role
        "picker": ("Picker", "拣货员"), "packer": ("Packer", "打包员"), "dispatcher": ("Dispatcher", "发运员"),
        "manager": ("Manager", "经理"), "admin": ("Administrator", "管理员"),
    },
    "alert": {  # core.orders.notifications.Alert
        "held": ("Held orders", "待审订单"), "low_stock": ("Low stock", "库存不足"),
        "purchase": ("Purchase orders", "采购单"), "late": ("Late orders", "延误订单"),
        "aftersales": ("After-sales requests", "售后申请"), "no_carrier": ("No carrier", "无可用承运商"),
        "report": ("Daily report", "每日报表"), "ledger": ("Stock ledger check", "库存账核对"),
        "transfer": ("Transfers to send", "待调出的调拨单"),
        "channel": ("Online shops", "网店对接"),
        "webhook": ("Webhooks given up", "事件推送失败"),
    },
    "write_back": {  # core.channels.write_backs.WriteBackState
        "waiting": ("Will retry", "等待重试"), "failed": ("Failed", "回传失败"), "done": ("Told", "已回传"),
    },
    "webhook_delivery": {  # core.webhooks.DeliveryState
        "pending": ("Waiting", "待推送"), "delivered": ("Delivered", "已送达"), "failed": ("Failed", "推送失败"),
    },
}

TEXTS: dict[str, dict[str, str]] = {
    f"status.{kind}.{value}": {"en": en, "zh": zh}
    for kind, states in _STATES.items() for value, (en, zh) in states.items()
}
