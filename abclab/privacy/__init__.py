"""Privacy rules: detect and mask personal data — phones, e-mails, ID and bank card numbers,
contact persons, addresses.

A bottom-layer data rule: the pipeline masks the cleaning log and the reports mask every
customer table with the same functions. Reports go to people outside the analysis team, so
personal data is masked by default, and a masked table still tells customers apart:

==========  =========================================  =====================================
kind        found by                                   masked as
==========  =========================================  =====================================
phone       ``电话``, ``手机``, ``phone``, ``tel`` ...;   ``138****1234`` (first 3, last 4)
            mobile, landline, ``+`` numbers
email       ``email``, ``邮箱`` ...; ``a@b.cn``          ``z***@example.com``
id_card     ``身份证号``, ``id card`` ...; 18 digits      ``**************002X`` (last 4)
            with the GB 11643 check character, or
            the 15-digit form
bank_card   ``银行账号``, ``卡号``, ``bank card`` ...;    ``************7890`` (last 4)
            12-19 digits passing the Luhn check
person      ``联系人``, ``负责人``, ``contact``,          ``张**`` (first character of each
            ``contact person``                         word)
address     ``地址``, ``address``; an administrative     ``上海市浦东新区***`` (the prefix
            unit then a street or number              up to the district)
==========  =========================================  =====================================

A missing value, and a text that only says "no value" (``''``, ``-``, ``N/A``, ``暂无`` ...;
:data:`MISSING_TEXT`), is left as it is in every kind: a gap stays visibly a gap.

Package layout: ``_contacts`` (phones and e-mails, Arrow kernels), ``_identity`` (ID and
bank card numbers: check digits), ``_people`` (contact persons, addresses), ``_detect``
(which columns, masking tables and logs).
"""

from abclab.privacy._contacts import _EMAIL_RE as _EMAIL_RE
from abclab.privacy._contacts import _PHONE_CONTENT_RE as _PHONE_CONTENT_RE
from abclab.privacy._contacts import MISSING_TEXT as MISSING_TEXT
from abclab.privacy._contacts import mask_email, mask_phone
from abclab.privacy._detect import CONTENT_MATCH_SHARE as CONTENT_MATCH_SHARE
from abclab.privacy._detect import (
    PiiKind,
    detect_pii_columns,
    mask_address,
    mask_bank_card,
    mask_cleaning_log,
    mask_frame,
    mask_id_card,
    mask_person,
    mask_values,
)
from abclab.privacy._identity import is_bank_card, is_id_card
from abclab.privacy._people import mask_note

__all__ = [
    "PiiKind",
    "detect_pii_columns",
    "is_bank_card",
    "is_id_card",
    "mask_address",
    "mask_bank_card",
    "mask_cleaning_log",
    "mask_email",
    "mask_frame",
    "mask_id_card",
    "mask_note",
    "mask_person",
    "mask_phone",
    "mask_values",
]
