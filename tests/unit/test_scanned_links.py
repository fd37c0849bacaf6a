"""A delivery note's QR is the customer's tracking link; staff scanners read the same code as that shipment."""

from core.floor.qr import Kind, Payload, decode

TOKEN = "Zq3xW8nE0m5-_aB2cD4eF6gH7iJ9kL1o"  # 32 characters, as fahuo makes them


def test_a_tracking_link_scanned_is_read_as_its_token_on_any_of_fahuos_addresses():
    for link in (f"https://fahuo.example.cn/t/{TOKEN}", f"http://127.0.0.1:8080/t/{TOKEN}\n",
                 f"https://fahuo.example.cn/t/{TOKEN}?lang=zh"):
        assert decode(link) == Payload(Kind.TRACKING, TOKEN), link


def test_other_addresses_stay_text_for_the_caller_to_read():
    for code in ("https://example.com/t/short", f"https://fahuo.example.cn/track/{TOKEN}", "FH:ORD:SO-1"):
        assert decode(code).kind != Kind.TRACKING, code
