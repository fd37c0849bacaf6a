"""Words on the papers (delivery note, shipment confirmation, waybill, labels) and on the tracking page."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "paper.delivery_note": {"en": "Delivery note", "zh": "发货单"},
    "paper.shipment_confirmation": {"en": "Shipment confirmation", "zh": "发货确认单"},
    "paper.waybill": {"en": "Waybill", "zh": "运单"},
    "paper.order": {"en": "Order", "zh": "订单"},
    "paper.shipment": {"en": "Shipment", "zh": "发运"},
    "paper.from": {"en": "From", "zh": "发货仓"},
    "paper.to": {"en": "To", "zh": "收货人"},
    "paper.address": {"en": "Address", "zh": "地址"},
    "paper.carrier": {"en": "Carrier", "zh": "承运商"},
    "paper.requested": {"en": "Requested by", "zh": "要求送达"},
    "paper.packages": {"en": "Packages", "zh": "件数"},
    "paper.weight": {"en": "Weight", "zh": "重量"},
    "paper.vehicle": {"en": "Vehicle", "zh": "车辆"},
    "paper.dispatched": {"en": "Dispatched", "zh": "发货时间"},
    "paper.dispatched_by": {"en": "Dispatched by", "zh": "发货人"},
    "paper.eta": {"en": "ETA", "zh": "预计到达"},
    "paper.product": {"en": "Product", "zh": "商品"},
    "paper.qty": {"en": "Qty", "zh": "数量"},
    "tracking.title": {"en": "Order {order}", "zh": "订单 {order}"},
    "tracking.expected": {"en": "expected by {eta}", "zh": "预计 {eta} 送达"},
    "tracking.to": {"en": "to {city}", "zh": "寄往{city}"},
    "tracking.waiting": {"en": "Packed and waiting for the carrier.", "zh": "已打包，等待承运商揽收。"},
}
