"""Which member field a CSV column means: case-, spacing- and punctuation-tolerant, with common aliases."""

from __future__ import annotations

import re

from bot.coupontools.models import CUSTOM_FIELDS

# Keys are header names with everything but letters and digits removed, lower-cased ("E-mail" -> "email").
_ALIASES: dict[str, str] = {
    **dict.fromkeys(("firstname", "first", "givenname", "forename", "voornaam", "prenom", "vorname"), "first_name"),
    **dict.fromkeys(("lastname", "last", "surname", "familyname", "achternaam", "nom", "nachname"), "last_name"),
    **dict.fromkeys(("email", "emailaddress", "mail", "mailaddress", "emailadres"), "email"),
    **dict.fromkeys(("phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "telephone",
                     "telephonenumber", "tel", "cell", "cellphone", "gsm"), "phone"),
    **dict.fromkeys(("address", "street", "streetaddress", "address1", "addressline1", "adres"), "address"),
    **dict.fromkeys(("zip", "zipcode", "postcode", "postalcode", "postcodezip", "plz"), "zip"),
    **dict.fromkeys(("city", "town", "stad", "ville", "stadt"), "city"),
    **{name.replace("_", ""): name for name in CUSTOM_FIELDS},
    **{f"customfield{name.removeprefix('custom_')}": name for name in CUSTOM_FIELDS},
}
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(header: str) -> str:
    """The header's letters and digits, lower-cased: `" E-Mail "` and `email` read the same."""
    return _NOT_ALNUM.sub("", header.replace("\ufeff", "")).lower()


def field_for(header: str) -> str | None:
    """The API field name (`first_name`, `custom_3`…) a CSV header means, or None when it means none."""
    return _ALIASES.get(normalise(header))
