"""Texts people read, in English and Chinese, keyed by stable codes shared by the API and the bot."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "validation_error": {"en": "The request is not valid: {detail}", "zh": "请求无效：{detail}"},
    "bad_json": {"en": "The body is not valid JSON.", "zh": "请求内容不是有效的 JSON。"},
    "no_route": {"en": "There is nothing at {path}.", "zh": "地址 {path} 不存在。"},
    "method_not_allowed": {
        "en": "{method} is not allowed at {path}; use {allowed}.",
        "zh": "地址 {path} 不支持 {method},请使用 {allowed}。",
    },
    "too_large": {"en": "The request is too large.", "zh": "请求内容过大。"},
    "http_error": {"en": "The request was refused ({status}).", "zh": "请求被拒绝({status})。"},
    "internal": {
        "en": "Something went wrong on our side; nothing was changed. Try again.",
        "zh": "服务器出错,未做任何更改。请重试。",
    },
    "not_found": {"en": "{what} {key} was not found.", "zh": "未找到{what} {key}。"},
    # the things a not_found names (NotFound turns its `what` into one of these)
    "thing.order": {"en": "order", "zh": "订单"},
    "thing.pick list": {"en": "pick list", "zh": "拣货单"},
    "thing.shipment": {"en": "shipment", "zh": "发运单"},
    "thing.package": {"en": "package", "zh": "包裹"},
    "thing.location": {"en": "location", "zh": "库位"},
    "thing.product": {"en": "product", "zh": "商品"},
    "thing.vehicle": {"en": "vehicle", "zh": "车辆"},
    "thing.purchase order": {"en": "purchase order", "zh": "采购单"},
    "thing.transfer": {"en": "transfer", "zh": "调拨单"},
    "thing.after-sales request": {"en": "after-sales request", "zh": "售后申请"},
    "thing.route plan": {"en": "route plan", "zh": "路线计划"},
    "thing.carrier": {"en": "carrier", "zh": "承运商"},
    "thing.warehouse": {"en": "warehouse", "zh": "仓库"},
    "thing.photo": {"en": "photo", "zh": "照片"},
    "thing.waybill": {"en": "waybill", "zh": "运单"},
    "thing.tracking link": {"en": "tracking link", "zh": "跟踪链接"},
    "thing.staff member": {"en": "staff member", "zh": "员工"},
    "thing.shipment confirmation for": {"en": "shipment confirmation for", "zh": "发货确认单，发运单"},
    "unknown_sku": {"en": "Unknown product SKU: {sku}.", "zh": "未知的商品编码：{sku}。"},
    "unknown_location": {
        "en": "Location {code} does not exist in warehouse {warehouse}.",
        "zh": "仓库 {warehouse} 中没有库位 {code}。",
    },
    "out_of_stock": {
        "en": "Only {available} of {sku} available at {location}; {wanted} needed.",
        "zh": "{location} 的 {sku} 只有 {available} 件可用，需要 {wanted} 件。",
    },
    "invalid_transition": {
        "en": "{document} is {current}; it cannot be {action}.",
        "zh": "{document} 当前状态为 {current}，不能{action}。",
    },
    "unauthorized": {"en": "Sign in first: {detail}", "zh": "请先登录：{detail}"},
    "too_many_sign_ins": {
        "en": "Too many failed sign-ins; try again in {minutes} min, or ask the bot for a sign-in link (/login).",
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试，或向机器人索取登录链接（/login）。",
    },
    "bad_login": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "forbidden": {
        "en": "Your role ({role}) may not {action}.",
        "zh": "您的角色（{role}）无权{action}。",
    },
    "conflict": {"en": "{detail}", "zh": "{detail}"},
    "wrong_scan": {"en": "Wrong scan: expected {expected} (got {got}).", "zh": "扫描错误：{expected}（收到 {got}）。"},
    # what a scan should have been (in Chinese with its verb), and what came instead, inside a wrong_scan
    "expect.location": {"en": "location {code}", "zh": "应扫描库位 {code}"},
    "expect.location_first": {"en": "location {code} first", "zh": "请先扫描库位 {code}"},
    "expect.product": {"en": "product {sku} ({name}) from {location}",
                       "zh": "应扫描 {location} 的商品 {sku}（{name_zh}）"},
    "expect.qty": {"en": "1 to {left} × {sku}", "zh": "数量应为 1 至 {left} 件 {sku}"},
    "expect.take": {"en": "you to take {missing} × {sku} from {location}: the bin has them",
                    "zh": "请从 {location} 取 {missing} 件 {sku}：库位里有货"},
    "expect.own_van": {"en": "one of our own vans", "zh": "应扫描本公司的货车"},
    "expect.vehicle_planned": {"en": "vehicle {plate}, as planned", "zh": "应扫描计划的车辆 {plate}"},
    "expect.vehicle_loading": {"en": "vehicle {plate}, which already has packages of it",
                               "zh": "应扫描车辆 {plate}（已装有此发运的包裹）"},
    "expect.vehicle_first": {"en": "the vehicle's label first (FH:VEH:…)", "zh": "请先扫描车辆标签（FH:VEH:…）"},
    "expect.package": {"en": "a package of {shipment}: {waiting}", "zh": "应扫描 {shipment} 的包裹：{waiting}"},
    "expect.all_loaded": {"en": "nothing more: all are loaded", "zh": "无需再扫：已全部装车"},
    "expect.scan_of": {"en": "the {what} it belongs to", "zh": "须注明所属的{what}"},
    "got.short_pick": {"en": "a short pick", "zh": "短拣"},
    "got.short_with_stock": {"en": "a short pick with {left} × {sku} still in {location}",
                             "zh": "短拣（{location} 仍有 {left} 件 {sku}）"},
    "got.vehicle": {"en": "vehicle {plate}", "zh": "车辆 {plate}"},
    "got.foreign_package": {"en": "package {package}, not part of {shipment}",
                            "zh": "包裹 {package}（不属于 {shipment}）"},
    "got.no_document": {"en": "a scan without {what}", "zh": "未注明{what}的扫描"},
    # what the floor hears after a scan
    "pick.go_to": {"en": "Go to {location} and scan its label.", "zh": "请到 {location}，扫描库位标签。"},
    "pick.take": {"en": "Take {left} × {sku} ({name}) into tote {tote}.",
                  "zh": "取 {left} 件 {sku}（{name_zh}）放入周转箱 {tote}。"},
    "pick.done": {"en": "All picked: take the cart to packing.", "zh": "全部拣完：请送往打包区。"},
    "pick.cancelled": {"en": "{order} was cancelled: put {picked} × {sku} from tote {tote} back to {location}",
                       "zh": "{order} 已取消：请把周转箱 {tote} 里的 {picked} 件 {sku} 放回 {location}"},
    "pick.more_from": {"en": "{qty} × {sku} more from {locations}", "zh": "另从 {locations} 取 {qty} 件 {sku}"},
    "pick.waits": {"en": "{order} waits for {qty} × {sku}; keep tote {tote}",
                   "zh": "{order} 还缺 {qty} 件 {sku}，请保留周转箱 {tote}"},
    "load.onto": {"en": "Loading onto {plate}", "zh": "正在装上 {plate}"},
    "load.already": {"en": "{package} is already on board", "zh": "{package} 已在车上"},
    "load.loaded": {"en": "{package} loaded", "zh": "{package} 已装车"},
    # the look-up's titles, labels and words (core.lookup)
    "lookup.location": {"en": "Location {code}", "zh": "库位 {code}"},
    "lookup.product": {"en": "{sku} {name}", "zh": "{sku} {name_zh}"},
    "lookup.order": {"en": "Order {number}", "zh": "订单 {number}"},
    "lookup.package": {"en": "Package {number}", "zh": "包裹 {number}"},
    "lookup.pick_list": {"en": "Pick list {number}", "zh": "拣货单 {number}"},
    "lookup.vehicle": {"en": "Vehicle {plate}", "zh": "车辆 {plate}"},
    "lookup.purchase_order": {"en": "Purchase order {number}", "zh": "采购单 {number}"},
    "product.name": {"en": "{name}", "zh": "{name_zh}"},
    "payment": {"en": "{method} / {state}", "zh": "{method} / {state}"},
    "payment.prepaid": {"en": "prepaid", "zh": "预付"},
    "payment.cod": {"en": "cash on delivery", "zh": "货到付款"},
    "payment.credit": {"en": "on credit", "zh": "赊账"},
    "payment.pending": {"en": "not paid yet", "zh": "未付款"},
    "payment.paid": {"en": "paid", "zh": "已付款"},
    "payment.refunded": {"en": "refunded", "zh": "已退款"},
    "not loaded": {"en": "not loaded", "zh": "未装车"},
    "own van": {"en": "own van", "zh": "自有货车"},
    "carrier's vehicle": {"en": "carrier's vehicle", "zh": "承运商车辆"},
    "fact.warehouse": {"en": "warehouse", "zh": "仓库"},
    "fact.zone": {"en": "zone", "zh": "区域"},
    "fact.products": {"en": "products", "zh": "商品种数"},
    "fact.count due": {"en": "count due", "zh": "待盘点"},
    "fact.SKU": {"en": "SKU", "zh": "SKU"},
    "fact.name": {"en": "name", "zh": "名称"},
    "fact.name_zh": {"en": "Chinese name", "zh": "中文名"},
    "fact.on hand": {"en": "on hand", "zh": "在库"},
    "fact.reserved": {"en": "reserved", "zh": "已预留"},
    "fact.barcode": {"en": "barcode", "zh": "条码"},
    "fact.goods class": {"en": "goods class", "zh": "货物类别"},
    "fact.weight": {"en": "weight", "zh": "重量"},
    "fact.available": {"en": "available", "zh": "可用"},
    "fact.location": {"en": "location", "zh": "库位"},
    "fact.status": {"en": "status", "zh": "状态"},
    "fact.city": {"en": "city", "zh": "城市"},
    "fact.payment": {"en": "payment", "zh": "付款"},
    "fact.qty": {"en": "qty", "zh": "数量"},
    "fact.order": {"en": "order", "zh": "订单"},
    "fact.shipment": {"en": "shipment", "zh": "发运单"},
    "fact.shipment status": {"en": "shipment status", "zh": "发运状态"},
    "fact.on vehicle": {"en": "on vehicle", "zh": "所在车辆"},
    "fact.picker": {"en": "picker", "zh": "拣货员"},
    "fact.tasks left": {"en": "tasks left", "zh": "剩余任务"},
    "fact.fleet": {"en": "fleet", "zh": "车队"},
    "fact.driver": {"en": "driver", "zh": "司机"},
    "fact.capacity": {"en": "capacity", "zh": "载重"},
    "fact.supplier": {"en": "supplier", "zh": "供应商"},
    "fact.ordered": {"en": "ordered", "zh": "订购"},
    "fact.received": {"en": "received", "zh": "已收"},
    "status.draft": {"en": "draft", "zh": "草稿"},
    "status.submitted": {"en": "submitted", "zh": "已提交"},
    "status.on_hold": {"en": "on hold", "zh": "待审核"},
    "status.rejected": {"en": "rejected", "zh": "已拒绝"},
    "status.approved": {"en": "approved", "zh": "已审核"},
    "status.allocated": {"en": "allocated", "zh": "已分配"},
    "status.backordered": {"en": "backordered", "zh": "缺货待补"},
    "status.awaiting_payment": {"en": "awaiting payment", "zh": "待付款"},
    "status.picking": {"en": "picking", "zh": "拣货中"},
    "status.packed": {"en": "packed", "zh": "已打包"},
    "status.shipped": {"en": "shipped", "zh": "已发货"},
    "status.delivered": {"en": "delivered", "zh": "已签收"},
    "status.cancelled": {"en": "cancelled", "zh": "已取消"},
    "status.shipment.packed": {"en": "packed, no carrier yet", "zh": "已打包，未订承运商"},
    "status.shipment.booked": {"en": "booked", "zh": "已订运"},
    "status.shipment.loading": {"en": "loading", "zh": "装车中"},
    "status.shipment.dispatched": {"en": "dispatched", "zh": "已发运"},
    "status.shipment.delivered": {"en": "delivered", "zh": "已签收"},
    "status.shipment.cancelled": {"en": "cancelled", "zh": "已取消"},
    "status.pick_list.open": {"en": "open", "zh": "拣货中"},
    "status.pick_list.done": {"en": "done", "zh": "已完成"},
    "status.po.draft": {"en": "draft", "zh": "草稿"},
    "status.po.confirmed": {"en": "confirmed", "zh": "已确认"},
    "status.po.partially_received": {"en": "partly received", "zh": "部分到货"},
    "status.po.received": {"en": "received", "zh": "已到货"},
    "status.po.cancelled": {"en": "cancelled", "zh": "已取消"},
    # review rules' reasons (core.orders.review)
    "review.blocked": {"en": "the customer account is blocked", "zh": "客户账户已被封禁"},
    "review.good_standing": {"en": "account in good standing", "zh": "客户信誉良好"},
    "review.address_lacks": {"en": "address lacks {missing}; confirm it with the customer",
                             "zh": "地址缺少{missing}，请与客户确认"},
    "review.address_complete": {"en": "address complete", "zh": "地址完整"},
    "review.retired": {"en": "no longer sold: {skus}", "zh": "已停售：{skus}"},
    "review.on_sale": {"en": "all products on sale", "zh": "商品均在售"},
    "review.large_quantities": {"en": "unusually large quantities (over {limit}): {lines}",
                                "zh": "数量异常大（超过 {limit}）：{lines}"},
    "review.usual_quantities": {"en": "quantities usual", "zh": "数量正常"},
    "review.paid": {"en": "paid", "zh": "已付款"},
    "review.cod_not_allowed": {"en": "cash on delivery is not allowed for this customer", "zh": "该客户不可货到付款"},
    "review.cod_over": {"en": "cash on delivery over {limit}", "zh": "货到付款金额超过 {limit}"},
    "review.cod": {"en": "cash on delivery", "zh": "货到付款"},
    "review.over_credit": {"en": "over credit limit: {used} open + {total} > {limit}",
                           "zh": "超出信用额度：未结 {used} + 本单 {total} > {limit}"},
    "review.within_credit": {"en": "within credit limit", "zh": "在信用额度内"},
    "review.awaiting_prepayment": {"en": "awaiting prepayment; goods are reserved meanwhile",
                                   "zh": "等待预付款，货物已预留"},
    "review.backordered": {"en": "will be backordered: {lines}", "zh": "将缺货待补：{lines}"},
    "review.in_stock": {"en": "in stock", "zh": "有货"},
    "review.value_over": {"en": "order value {total} over {limit}", "zh": "订单金额 {total} 超过 {limit}"},
    "review.value_within": {"en": "value within limit", "zh": "金额在限额内"},
    "review.first_order": {"en": "first order of a new customer", "zh": "新客户首单"},
    "review.duplicate": {"en": "same goods as {other} placed shortly before", "zh": "与不久前的 {other} 商品相同"},
    "review.no_twin": {"en": "no recent twin", "zh": "近期无重复订单"},
    "nothing_for_code": {"en": "Nothing has the code {code}.", "zh": "没有与条码 {code} 对应的内容。"},
    "id_taken": {
        "en": "The id {id} was already used by another device; nothing was changed.",
        "zh": "编号 {id} 已被另一台设备使用，未做任何更改。",
    },
    "id_reused": {
        "en": "The id {id} was already used for a different request; nothing was changed.",
        "zh": "编号 {id} 已用于另一个请求，未做任何更改。",
    },
    "import_failed": {
        "en": "{count} bad rows; nothing was imported.",
        "zh": "有 {count} 行有误，未导入任何数据。",
    },
    # carrier choice: the reasons kept with a shipment
    "carrier.region": {"en": "does not deliver to {province}", "zh": "不配送到{province}"},
    "carrier.goods": {"en": "does not carry {classes} goods", "zh": "不承运{classes}货物"},
    "carrier.weight": {"en": "takes at most {limit:g} kg per package, this one is {weight:g} kg",
                       "zh": "每件最多 {limit:g} 千克，此件 {weight:g} 千克"},
    "carrier.side": {"en": "takes sides up to {limit} mm, this package has {side} mm",
                     "zh": "边长最多 {limit} 毫米，此件 {side} 毫米"},
    "carrier.level": {"en": "is {level}, the customer asked for {asked}", "zh": "服务等级为{level}，客户要求{asked}"},
    "carrier.dearer": {"en": "costs {price}, {best} {best_price}", "zh": "运费 {price}，{best} 为 {best_price}"},
    "carrier.slower": {"en": "arrives {arrives}, {best} by {best_arrives}",
                       "zh": "{arrives} 送达，{best} {best_arrives} 即可送达"},
    "carrier.late": {"en": "arrives {arrives}, after the requested {requested}; {best} arrives by {best_arrives}",
                     "zh": "{arrives} 送达，晚于要求的 {requested}；{best} {best_arrives} 即可送达"},
    "carrier.by_price": {"en": "lowest price, then arrival", "zh": "运费最低，其次到达最早"},
    "carrier.by_speed": {"en": "fastest arrival, then price", "zh": "最快送达，其次运费最低"},
    "carrier.date_by_price": {"en": "arrives by the requested {requested}, then lowest price",
                              "zh": "在要求的 {requested} 前送达，其次运费最低"},
    "carrier.date_by_speed": {"en": "arrives by the requested {requested}, then fastest arrival",
                              "zh": "在要求的 {requested} 前送达，其次最快送达"},
    "carrier.date_missed": {"en": "no carrier arrives by the requested {requested}: fastest arrival",
                            "zh": "没有承运商能在要求的 {requested} 前送达：选最快送达"},
    "carrier.by_staff": {"en": "chosen by staff", "zh": "由员工指定"},
    "carrier.chosen": {"en": "{carrier}: {basis} ({price} CNY, arrives {arrives})",
                       "zh": "{carrier}：{basis}（运费 {price} 元，{arrives} 送达）"},
    "carrier.none": {"en": "no carrier can take this shipment: {reasons}", "zh": "没有承运商能承运此发运：{reasons}"},
    "unknown_province": {"en": "an unknown province", "zh": "未知省份"},
    "goods.normal": {"en": "normal", "zh": "普通"},
    "goods.fragile": {"en": "fragile", "zh": "易碎"},
    "goods.liquid": {"en": "liquid", "zh": "液体"},
    "goods.cold": {"en": "cold", "zh": "冷链"},
    "goods.hazardous": {"en": "hazardous", "zh": "危险品"},
    "service.economy": {"en": "economy", "zh": "经济"},
    "service.standard": {"en": "standard", "zh": "标准"},
    "service.express": {"en": "express", "zh": "特快"},
    "bad_phone": {"en": "{phone} is not a valid phone number.", "zh": "{phone} 不是有效的电话号码。"},
    "invalid_phone": {"en": "not a valid phone number", "zh": "不是有效的电话号码"},
    "csv_line": {"en": "line {line}: {problem}", "zh": "第 {line} 行：{problem}"},
    "csv_not_utf8": {
        "en": "the file is not UTF-8 (GBK or another encoding?); save it as \"CSV UTF-8\" and import it again",
        "zh": "文件不是 UTF-8 编码（可能是 GBK 等）；请另存为“CSV UTF-8”后重新导入",
    },
    "csv_field_count": {"en": "{got} fields where the header has {want} (a number with a thousands comma "
                              "must be quoted or written without the comma)",
                        "zh": "有 {got} 个字段，表头有 {want} 列（带千位逗号的数字须加引号或去掉逗号）"},
    "csv_unknown_columns": {"en": "unknown column(s): {columns}", "zh": "未知的列：{columns}"},
    "csv_repeated_columns": {"en": "column(s) named twice: {columns}", "zh": "重复的列：{columns}"},
    "csv_missing_columns": {"en": "the header lacks column(s): {columns}", "zh": "表头缺少列：{columns}"},
    "csv_value_missing": {"en": "{column}: a value is required", "zh": "{column} 列：必须填写"},
    "csv_not_whole": {"en": "{column}: not a whole number", "zh": "{column} 列：不是整数"},
    "csv_not_number": {"en": "{column}: not a number", "zh": "{column} 列：不是数字"},
    "csv_too_small": {"en": "{column}: must be at least {ge}", "zh": "{column} 列：不能小于 {ge}"},
    "csv_too_large": {"en": "{column}: must be at most {le}", "zh": "{column} 列：不能大于 {le}"},
    "csv_too_many_decimals": {"en": "{column}: at most {decimal_places} decimals",
                              "zh": "{column} 列：最多 {decimal_places} 位小数"},
    "csv_not_one_of": {"en": "{column}: must be one of {expected}", "zh": "{column} 列：须为 {expected} 之一"},
    "csv_not_yes_no": {"en": "{column}: must be true or false", "zh": "{column} 列：须为 true 或 false"},
    "csv_too_long": {"en": "{column}: at most {max_length} characters", "zh": "{column} 列：最多 {max_length} 个字符"},
    "csv_wrong_form": {"en": "{column}: not in the expected form", "zh": "{column} 列：格式不正确"},
    "csv_bad_value": {"en": "{column}: {detail}", "zh": "{column} 列：{detail}"},
    "csv_sku_repeated": {"en": "SKU {sku} is already on line {first}", "zh": "商品编码 {sku} 已在第 {first} 行出现"},
    "csv_bin_repeated": {"en": "{sku} in {warehouse} {bin} is already counted on line {first}",
                         "zh": "{warehouse} {bin} 的 {sku} 已在第 {first} 行盘点"},
    "csv_barcode_repeated": {"en": "barcode {barcode} is already on line {first} ({sku})",
                             "zh": "条码 {barcode} 已在第 {first} 行（{sku}）使用"},
    "csv_barcode_taken": {"en": "barcode {barcode} belongs to product {sku}", "zh": "条码 {barcode} 已属于商品 {sku}"},
    "csv_unknown_supplier": {"en": "unknown supplier {code}", "zh": "未知的供应商 {code}"},
    "csv_unknown_sku": {"en": "unknown SKU {sku}", "zh": "未知的商品编码 {sku}"},
    "csv_unknown_warehouse": {"en": "unknown warehouse {code}", "zh": "未知的仓库 {code}"},
    "csv_unknown_bin": {"en": "no bin {bin} in {warehouse}", "zh": "仓库 {warehouse} 中没有库位 {bin}"},
    "csv_below_reserved": {"en": "{sku} in {bin}: a count of {qty} is below the {reserved} reserved for orders",
                           "zh": "{bin} 的 {sku}：盘点数 {qty} 少于订单已预留的 {reserved}"},
    # opening the database (run.py, the web app)
    "database_unavailable": {"en": "Cannot open the database {url}: {reason}", "zh": "无法打开数据库 {url}：{reason}"},
    "database_no_folder": {
        "en": "Cannot open the database {url}: there is no folder {folder} (check FAHUO_DATABASE_URL, or create "
              "the folder first).",
        "zh": "无法打开数据库 {url}：文件夹 {folder} 不存在（请检查 FAHUO_DATABASE_URL，或先创建该文件夹）。",
    },
    "database_is_folder": {"en": "Cannot open the database {url}: {path} is a folder, not a database file.",
                           "zh": "无法打开数据库 {url}：{path} 是文件夹，不是数据库文件。"},
    # run.py
    "cli.setting": {"en": "{name} is not valid: {problem}", "zh": "{name} 的值无效：{problem}"},
    "cli.settings": {"en": "Settings: {problem}", "zh": "设置有误：{problem}"},
    "cli.port": {"en": "Cannot listen on {host}:{port} ({setting}): {reason}",
                 "zh": "无法在 {host}:{port} 上监听（{setting}）：{reason}"},
    "cli.bot_refused": {"en": "The Telegram bot stopped at start (check FAHUO_TELEGRAM_TOKEN): {reason}",
                        "zh": "Telegram 机器人启动即停止（请检查 FAHUO_TELEGRAM_TOKEN）：{reason}"},
    "cli.no_password": {"en": "No password given (no terminal to ask on: use --password); nothing saved.",
                        "zh": "未提供密码（没有可输入的终端，请用 --password）；未保存任何内容。"},
    "cli.passwords_differ": {"en": "The passwords differ; nothing saved.",
                             "zh": "两次输入的密码不同；未保存任何内容。"},
    "cli.stopped": {"en": "Stopped.", "zh": "已停止。"},
    "cli.demo_skipped": {
        "en": "Demo skipped: this database already has data, and the demo logins were shown when it was loaded. "
              "Add a login with run.py user add NAME --role admin (or serve --demo with an empty database).",
        "zh": "未载入演示数据：此数据库已有数据，演示账号已在当初载入时显示。"
              "可用 run.py user add 用户名 --role admin 添加账号（或对空数据库使用 serve --demo）。",
    },
    "cli.database_empty": {
        "en": "The database is empty: run.py serve --demo loads a demo set with logins, or add yours with "
              "run.py user add NAME --role admin.",
        "zh": "数据库为空：run.py serve --demo 载入带账号的演示数据，或用 run.py user add 用户名 --role admin "
              "添加您的账号。",
    },
}

SEPARATOR = {"en": ", ", "zh": "、"}  # between items of a list inside a sentence


Phrase = dict[str, Any]  # {"phrase": code, "params": {...}}: words said later, in the reader's language


def phrase(key: str, /, **params: Any) -> Phrase:
    """Words for a message part (what a scan should have been, a notice to the picker), kept as plain JSON so
    that a refusal recorded once and replayed later, or an answer read in another language, says them in the
    language of whoever reads it."""
    return {"phrase": key, "params": {k: v if isinstance(v, (str, int, float, dict, list)) or v is None else str(v)
                                      for k, v in params.items()}}  # JSON only: Decimal, dates as text


def is_phrase(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("phrase"), str) and isinstance(value.get("params"), dict)


def render(value: Any, lang: str) -> Any:
    """`value` with every phrase inside it (in lists and dicts too) said in `lang`."""
    if is_phrase(value):
        return text(value["phrase"], lang, **value["params"])
    if isinstance(value, list):
        return [render(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: render(v, lang) for k, v in value.items()}
    return value


def text(code: str, lang: str = "en", /, **params: Any) -> str:
    """The message for `code` in `lang` (English when the language or code is unknown); parameters that are
    phrases are said in `lang` too."""
    params = {k: render(v, lang) for k, v in params.items()}
    catalog = MESSAGES.get(code)
    if catalog is None:
        return params.get("detail", code)
    template = catalog.get(lang) or catalog["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return catalog["en"]
