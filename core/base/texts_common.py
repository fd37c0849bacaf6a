"""Errors, refusals and reasons every surface shares (the API, the bot, run.py)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "validation_error": {"en": "The request is not valid: {detail}", "zh": "请求无效：{detail}"},
    "bad_json": {"en": "The body is not valid JSON.", "zh": "请求内容不是有效的 JSON。"},
    "no_route": {"en": "There is nothing at {path}.", "zh": "地址 {path} 不存在。"},
    "method_not_allowed": {
        "en": "{method} is not allowed at {path}; use {allowed}.",
        "zh": "地址 {path} 不支持 {method}，请使用 {allowed}。",
    },
    "too_large": {"en": "The request is too large.", "zh": "请求内容过大。"},
    "http_error": {"en": "The request was refused ({status}).", "zh": "请求被拒绝（{status}）。"},
    "internal": {
        "en": "Something went wrong on our side; nothing was changed. Try again.",
        "zh": "服务器出错，未做任何更改。请重试。",
    },
    "not_found": {"en": "{what} {key} was not found.", "zh": "未找到{what} {key}。"},
    "unknown_language": {"en": "Unknown language {language}; choose one of {known}.",
                         "zh": "未知的语言 {language}，可选：{known}。"},
    "nothing_to_pay": {"en": "Order {order} needs no online payment now.", "zh": "订单 {order} 目前无需在线支付。"},
    "aftersales_over_claim": {
        "en": "{sku}: {shipped} shipped, {claimable} of them not yet in a request; {qty} is too many.",
        "zh": "{sku}：已发货 {shipped} 件，其中还可申请售后 {claimable} 件，{qty} 件超出了。",
    },
    "aftersales_not_in_order": {"en": "{sku} is not part of order {order}.", "zh": "{sku} 不在订单 {order} 中。"},
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
        "en": "Too many failed sign-ins; try again in {minutes} min, or ask the bot for a "
              "sign-in link (/login).",
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试，或向机器人索取登录链接（/login）。",
    },
    "bad_login": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "forbidden": {"en": "Your role ({role}) may not {action}.", "zh": "您的角色（{role}）无权{action}。"},
    "conflict": {"en": "{detail}", "zh": "{detail}"},
    "wrong_scan": {"en": "Wrong scan: {got}. Expected {expected}.", "zh": "扫描错误：{got}。应扫描 {expected}。"},
    "id_taken": {
        "en": "The id {id} was already used by another device; nothing was changed.",
        "zh": "编号 {id} 已被另一台设备使用，未做任何更改。",
    },
    "id_reused": {
        "en": "The id {id} was already used for a different request; nothing was changed.",
        "zh": "编号 {id} 已用于另一个请求，未做任何更改。",
    },
    "import_failed": {"en": "{count} bad rows; nothing was imported.", "zh": "有 {count} 行有误，未导入任何数据。"},
    "carrier.region": {"en": "does not deliver to {province}", "zh": "不配送到{province}"},
    "carrier.goods": {"en": "does not carry {classes} goods", "zh": "不承运{classes}货物"},
    "carrier.weight": {
        "en": "takes at most {limit:g} kg per package, this one is {weight:g} kg",
        "zh": "每件最多 {limit:g} 千克，此件 {weight:g} 千克",
    },
    "carrier.side": {
        "en": "takes sides up to {limit} mm, this package has {side} mm",
        "zh": "边长最多 {limit} 毫米，此件 {side} 毫米",
    },
    "carrier.level": {"en": "is {level}, the customer asked for {asked}", "zh": "服务等级为{level}，客户要求{asked}"},
    "carrier.dearer": {"en": "costs {price}, {best} {best_price}", "zh": "运费 {price}，{best} 为 {best_price}"},
    "carrier.slower": {
        "en": "arrives {arrives}, {best} by {best_arrives}",
        "zh": "{arrives} 送达，{best} {best_arrives} 即可送达",
    },
    "carrier.late": {
        "en": "arrives {arrives}, after the requested {requested}; {best} arrives by {best_arrives}",
        "zh": "{arrives} 送达，晚于要求的 {requested}；{best} {best_arrives} 即可送达",
    },
    "carrier.by_price": {"en": "lowest price, then arrival", "zh": "运费最低，其次到达最早"},
    "carrier.by_speed": {"en": "fastest arrival, then price", "zh": "最快送达，其次运费最低"},
    "carrier.date_by_price": {
        "en": "arrives by the requested {requested}, then lowest price",
        "zh": "在要求的 {requested} 前送达，其次运费最低",
    },
    "carrier.date_by_speed": {
        "en": "arrives by the requested {requested}, then fastest arrival",
        "zh": "在要求的 {requested} 前送达，其次最快送达",
    },
    "carrier.date_missed": {
        "en": "no carrier arrives by the requested {requested}: fastest arrival",
        "zh": "没有承运商能在要求的 {requested} 前送达：选最快送达",
    },
    "carrier.by_staff": {"en": "chosen by staff", "zh": "由员工指定"},
    "carrier.chosen": {
        "en": "{carrier}: {basis} ({price} CNY, arrives {arrives})",
        "zh": "{carrier}：{basis}（运费 {price} 元，{arrives} 送达）",
    },
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
        "en": "the file is not UTF-8 (GBK or another encoding?); save it as \"CSV UTF-8\" and "
              "import it again",
        "zh": "文件不是 UTF-8 编码（可能是 GBK 等）；请另存为“CSV UTF-8”后重新导入",
    },
    "csv_field_count": {
        "en": "{got} fields where the header has {want} (a number with a thousands comma must be "
              "quoted or written without the comma)",
        "zh": "有 {got} 个字段，表头有 {want} 列（带千位逗号的数字须加引号或去掉逗号）",
    },
    "csv_unknown_columns": {"en": "unknown column(s): {columns}", "zh": "未知的列：{columns}"},
    "csv_repeated_columns": {"en": "column(s) named twice: {columns}", "zh": "重复的列：{columns}"},
    "csv_missing_columns": {"en": "the header lacks column(s): {columns}", "zh": "表头缺少列：{columns}"},
    "csv_value_missing": {"en": "{column}: a value is required", "zh": "{column} 列：必须填写"},
    "csv_not_whole": {"en": "{column}: not a whole number", "zh": "{column} 列：不是整数"},
    "csv_not_number": {"en": "{column}: not a number", "zh": "{column} 列：不是数字"},
    "csv_too_small": {"en": "{column}: must be at least {ge}", "zh": "{column} 列：不能小于 {ge}"},
    "csv_too_large": {"en": "{column}: must be at most {le}", "zh": "{column} 列：不能大于 {le}"},
    "csv_too_many_decimals": {
        "en": "{column}: at most {decimal_places} decimals",
        "zh": "{column} 列：最多 {decimal_places} 位小数",
    },
    "csv_not_one_of": {"en": "{column}: must be one of {expected}", "zh": "{column} 列：须为 {expected} 之一"},
    "csv_not_yes_no": {"en": "{column}: must be true or false", "zh": "{column} 列：须为 true 或 false"},
    "csv_too_long": {"en": "{column}: at most {max_length} characters", "zh": "{column} 列：最多 {max_length} 个字符"},
    "csv_wrong_form": {"en": "{column}: not in the expected form", "zh": "{column} 列：格式不正确"},
    "csv_bad_value": {"en": "{column}: {detail}", "zh": "{column} 列：{detail}"},
    "csv_sku_repeated": {"en": "SKU {sku} is already on line {first}", "zh": "商品编码 {sku} 已在第 {first} 行出现"},
    "csv_bin_repeated": {
        "en": "{sku} in {warehouse} {bin} is already counted on line {first}",
        "zh": "{warehouse} {bin} 的 {sku} 已在第 {first} 行盘点",
    },
    "csv_barcode_repeated": {
        "en": "barcode {barcode} is already on line {first} ({sku})",
        "zh": "条码 {barcode} 已在第 {first} 行（{sku}）使用",
    },
    "csv_barcode_taken": {"en": "barcode {barcode} belongs to product {sku}", "zh": "条码 {barcode} 已属于商品 {sku}"},
    "csv_unknown_supplier": {"en": "unknown supplier {code}", "zh": "未知的供应商 {code}"},
    "csv_unknown_sku": {"en": "unknown SKU {sku}", "zh": "未知的商品编码 {sku}"},
    "csv_unknown_warehouse": {"en": "unknown warehouse {code}", "zh": "未知的仓库 {code}"},
    "csv_unknown_bin": {"en": "no bin {bin} in {warehouse}", "zh": "仓库 {warehouse} 中没有库位 {bin}"},
    "csv_below_reserved": {
        "en": "{sku} in {bin}: a count of {qty} is below the {reserved} reserved for orders",
        "zh": "{bin} 的 {sku}：盘点数 {qty} 少于订单已预留的 {reserved}",
    },
    "driver_not_linked": {
        "en": "The driver of {plate} has no Telegram chat linked, so the route was not sent: print it, or add the "
              "driver's chat to the van.",
        "zh": "{plate} 的司机未关联 Telegram，路线未发送：请打印路线，或为该车登记司机的 Telegram。",
    },
    "not_on_plan": {"en": "{plate} has no stops on route plan {plan}.",
                    "zh": "路线计划 {plan} 中没有 {plate} 的站点。"},
    "database_unavailable": {"en": "Cannot open the database {url}: {reason}", "zh": "无法打开数据库 {url}：{reason}"},
    "database_no_folder": {
        "en": "Cannot open the database {url}: there is no folder {folder} (check "
              "FAHUO_DATABASE_URL, or create the folder first).",
        "zh": "无法打开数据库 {url}：文件夹 {folder} 不存在（请检查 FAHUO_DATABASE_URL，"
              "或先创建该文件夹）。",
    },
    "database_is_folder": {
        "en": "Cannot open the database {url}: {path} is a folder, not a database file.",
        "zh": "无法打开数据库 {url}：{path} 是文件夹，不是数据库文件。",
    },
    "cli.setting": {"en": "{name} is not valid: {problem}", "zh": "{name} 的值无效：{problem}"},
    "cli.settings": {"en": "Settings: {problem}", "zh": "设置有误：{problem}"},
    "cli.port": {
        "en": "Cannot listen on {host}:{port} ({setting}): {reason}",
        "zh": "无法在 {host}：{port} 上监听（{setting}）：{reason}",
    },
    "cli.bot_refused": {
        "en": "The Telegram bot stopped at start (check FAHUO_TELEGRAM_TOKEN): {reason}",
        "zh": "Telegram 机器人启动即停止（请检查 FAHUO_TELEGRAM_TOKEN）：{reason}",
    },
    "cli.no_password": {
        "en": "No password given (no terminal to ask on: use --password); nothing saved.",
        "zh": "未提供密码（没有可输入的终端，请用 --password）；未保存任何内容。",
    },
    "cli.passwords_differ": {
        "en": "The passwords differ; nothing saved.",
        "zh": "两次输入的密码不同；未保存任何内容。",
    },
    "cli.stopped": {"en": "Stopped.", "zh": "已停止。"},
    "cli.demo_skipped": {
        "en": "Demo skipped: this database already has data, and the demo logins were shown when "
              "it was loaded. Add a login with run.py user add NAME --role admin (or serve "
              "--demo with an empty database).",
        "zh": "未载入演示数据：此数据库已有数据，演示账号已在当初载入时显示。可用 run.py user add "
              "用户名 --role admin 添加账号（或对空数据库使用 serve --demo）。",
    },
    "cli.database_empty": {
        "en": "The database is empty: run.py serve --demo loads a demo set with logins, or add "
              "yours with run.py user add NAME --role admin.",
        "zh": "数据库为空：run.py serve --demo 载入带账号的演示数据，或用 run.py user add 用户名 "
              "--role admin 添加您的账号。",
    },
}
