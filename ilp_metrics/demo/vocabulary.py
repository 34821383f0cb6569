"""Codes the demo writes: services, results, target groups and readiness items (DATA_CONTRACT §5).

The same spellings as the catalogue (its SHARED_EXTRA_SERVICES are here too), so every demo file loads.
"""

from __future__ import annotations

from ilp_metrics.catalogue.contract import CONTRACT_TARGET_GROUPS

SERVICES: tuple[str, ...] = (
    "ANC_K1",
    "ANC_K6",
    "KUNJUNGAN_ANC",
    "PERSALINAN_FASKES",
    "KF_LENGKAP",
    "KN_LENGKAP",
    "IMUNISASI_DASAR_LENGKAP",
    "BALITA_DIPANTAU",
    "BALITA_DITIMBANG",
    "SKRINING_STUNTING",
    "SKRINING_ANAK_SEKOLAH",
    "SKRINING_ANEMIA_REMAJA",
    "SKRINING_USIA_PRODUKTIF",
    "SKRINING_LANSIA",
    "YANKES_HIPERTENSI",
    "YANKES_DM",
    "YANKES_ODGJ_BERAT",
    "SKRINING_KANKER_SERVIKS",
    "SKRINING_KANKER_PAYUDARA",
    "YANKES_TERDUGA_TB",
    "PENGOBATAN_TB",
    "TES_HIV",
    "KASUS_DBD",
    "KUNJUNGAN_RUMAH",
)
S = {code: i for i, code in enumerate(SERVICES)}
# Aggregate reports count events for these; for every other service they count NEW persons served that
# month (persons not yet served with that service earlier in the same calendar year).
EVENT_SERVICES = frozenset({"KUNJUNGAN_ANC", "BALITA_DITIMBANG", "KASUS_DBD", "KUNJUNGAN_RUMAH"})

RESULTS: tuple[str, ...] = (
    "",
    "normal",
    "stunting",
    "anemia",
    "sembuh",
    "pengobatan_lengkap",
    "gagal",
    "meninggal",
    "putus_berobat",
)
R = {code: i for i, code in enumerate(RESULTS)}

TARGET_GROUPS: tuple[str, ...] = (*CONTRACT_TARGET_GROUPS, "wus", "remaja_putri")

READINESS_ITEMS: tuple[str, ...] = (
    "KLASTER_TERBENTUK",
    "JUMLAH_DESA",
    "DESA_DENGAN_PUSTU",
    "JUMLAH_POSYANDU",
    "POSYANDU_ILP",
    "JUMLAH_KADER",
    "KADER_TERLATIH",
    "LOKMIN_BULANAN",
    "PWS_DIGUNAKAN",
    "LAPORAN_WAJIB",
    "LAPORAN_TEPAT_WAKTU",
)

PERSON_SERVICES = tuple(s for s in SERVICES if s not in EVENT_SERVICES)
