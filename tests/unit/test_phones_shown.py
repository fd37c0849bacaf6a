"""Phones as people write them, and as a parcel's label hides them: one formatter for every surface."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

from bot.sales import SalesBy, labels
from core.base.phones import display_phone, masked_phone
from core.reports import Sales, SalesRow


def test_a_chinese_mobile_is_written_in_three_groups_without_the_country_code():
    assert display_phone("+8613816881234") == "138 1688 1234"


def test_a_chinese_landline_keeps_its_area_code_and_a_number_abroad_its_international_form():
    assert display_phone("+862150800188") == "021 5080 0188"
    assert display_phone("+85291234567") == "+852 9123 4567"
    assert display_phone("+16502530000") == "+1 650-253-0000"


def test_what_is_not_a_valid_number_is_shown_as_it_was_given():
    assert display_phone("12345") == "12345" and display_phone("") == "" and display_phone(None) == ""


def test_a_label_hides_the_middle_of_the_number_as_chinese_privacy_labels_do():
    assert masked_phone("+8613816881234") == "138****1234"
    assert masked_phone("+862150800188") == "021****0188"
    assert masked_phone("+85291234567") == "+852 ****4567"  # at least four digits are always hidden
    assert masked_phone("12345") == "****5" and masked_phone("") == ""


def test_the_formatter_leaves_the_heavy_geocoder_unloaded():
    code = ("import sys, core.base.phones as p; p.display_phone('+8613816881234'); p.masked_phone('+1 650 253 0000');"
            "print(sorted(m for m in sys.modules if m.startswith(('phonenumbers.geocoder', 'phonenumbers.carrier'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_a_manager_reads_a_nameless_customer_in_the_sales_chart_by_the_phone_as_people_write_it():
    rows = [SalesRow("+8613800001111", "", 2, Decimal("40"), 1), SalesRow("+8613900002222", "王芳", 1, Decimal(1), 1)]
    sales = Sales(date(2026, 12, 1), date(2026, 12, 8), rows, 2, 3, Decimal("41"), 2)
    assert labels(sales, SalesBy.CUSTOMER) == ["138 0000 1111", "王芳"]
