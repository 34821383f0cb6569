"""Invented person names in South Sulawesi style (Bugis / Makassar / Luwu), for demo files only.

Names appear in the generated upload files (column `Nama`) and matter to the ingest only where a row has
no NIK (then name + birth date + desa identify the person). A few carry accented letters (é, è) as
found in Bugis spellings, so the Windows-1252 files really exercise the encoding; every character here is
representable in Windows-1252.
"""

from __future__ import annotations

MALE = (
    "Muhammad", "Muh.", "Abdul", "Abd.", "Ahmad", "Andi", "Syamsul", "Rahman", "Arif", "Ilham", "Irwan",
    "Hasan", "Husain", "Baharuddin", "Jumadi", "Kamaruddin", "Lukman", "Nasrun", "Rusli", "Sudirman",
    "Syarifuddin", "Taufik", "Yusuf", "Zainal", "Agus", "Fajar", "Rizal", "Amir", "Darwis", "Haris",
    "Ismail", "Jamal", "Kaharuddin", "Mansyur", "Nurdin", "Rais", "Saharuddin", "Tamrin", "Wahyu", "Yunus",
    "La Ode", "Bakri", "Hamzah", "Idris", "Mustari", "Rahmat", "Sakka", "Tahir", "Upa", "Bétta",
)
FEMALE = (
    "Sitti", "St.", "Nur", "Nurhayati", "Nur'aini", "Andi", "Hasnah", "Hasniati", "Rahmawati", "Suriani",
    "Syamsiah", "Marlina", "Jumriah", "Kartini", "Hadijah", "Fatimah", "Aisyah", "Rosmini", "Nurjannah",
    "Sumarni", "Wahida", "Yuliana", "Asmawati", "Besse", "Darmawati", "Ernawati", "Fitriani", "Hartini",
    "Irmawati", "Juliati", "Kasmawati", "Megawati", "Nurhaeda", "Ratna", "Salmiah", "Sri", "Tenri",
    "Ulfa", "Wa Ode", "Zaenab", "Réski", "Sénna", "Inda", "Rukmini", "Mirna", "Dewi", "Halima", "Rosdiana",
)
SECOND = (
    "Rahman", "Hamid", "Saleh", "Latif", "Basri", "Nur", "Amir", "Rasyid", "Daeng Ngalle", "Daeng Baji",
    "Daeng Tika", "Daeng Sanga", "Tenri Ajeng", "Anwar", "Yusuf", "Syam", "Hasyim", "Arsyad", "Bakri",
    "Mappiare", "Makkulau", "Pabbicara", "Sulaiman", "Tajuddin", "Umar", "Wahab", "Zakaria", "Kadir",
    "Ré'ne", "Rénreng", "Bétta", "Sennang", "Tang", "Pallawa", "Ladjide", "Lipu", "Mattola", "Sompa",
    "Puang", "Sikki", "Rasak", "Sangkala", "Baso", "Kamaluddin", "Tammu", "Ambo", "Tolla", "Mustafa",
)
# Honorifics for adults who have made the hajj (prefixed to some names of people aged 45+).
HAJJ_MALE = "H."
HAJJ_FEMALE = "Hj."


def compose(sex_female: bool, first: int, second: int, hajj: bool) -> str:
    pool = FEMALE if sex_female else MALE
    name = f"{pool[first % len(pool)]} {SECOND[second % len(SECOND)]}"
    if hajj:
        name = f"{HAJJ_FEMALE if sex_female else HAJJ_MALE} {name}"
    return name
