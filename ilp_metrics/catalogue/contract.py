"""Codes of DATA_CONTRACT.md §5 that other modules and users rely on: the catalogue must keep them.

catalogue.rules checks the packaged (or a district's) catalogue against these; tests read them too.
"""

from __future__ import annotations

CONTRACT_TARGET_GROUPS = (
    "penduduk",
    "ibu_hamil",
    "ibu_bersalin",
    "bayi_baru_lahir",
    "bayi",
    "balita",
    "anak_usia_sekolah",
    "remaja",
    "usia_produktif",
    "lansia",
    "penderita_hipertensi",
    "penderita_dm",
    "odgj_berat",
    "terduga_tb",
    "berisiko_hiv",
)
PREVALENCE_TARGET_GROUPS = ("penderita_hipertensi", "penderita_dm", "odgj_berat", "terduga_tb", "berisiko_hiv")
CONTRACT_SERVICES = (
    "ANC_K1",
    "ANC_K6",
    "PERSALINAN_FASKES",
    "KN_LENGKAP",
    "IMUNISASI_DASAR_LENGKAP",
    "BALITA_DIPANTAU",
    "SKRINING_ANAK_SEKOLAH",
    "SKRINING_ANEMIA_REMAJA",
    "SKRINING_USIA_PRODUKTIF",
    "SKRINING_LANSIA",
    "YANKES_HIPERTENSI",
    "YANKES_DM",
    "YANKES_ODGJ_BERAT",
    "SKRINING_KANKER_SERVIKS",
    "YANKES_TERDUGA_TB",
    "TES_HIV",
    "KASUS_DBD",
    "KUNJUNGAN_RUMAH",
)
# Not in the contract, but the demo generator and the ingest use these spellings.
SHARED_EXTRA_SERVICES = (
    "KUNJUNGAN_ANC",
    "KF_LENGKAP",
    "BALITA_DITIMBANG",
    "SKRINING_STUNTING",
    "SKRINING_KANKER_PAYUDARA",
    "PENGOBATAN_TB",
)
READINESS_ITEM_CODES = (
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
# code -> (numerator service, denominator target group), DATA_CONTRACT.md §5.
SPM_CONTRACT: dict[str, tuple[str, str]] = {
    "SPM01": ("ANC_K6", "ibu_hamil"),
    "SPM02": ("PERSALINAN_FASKES", "ibu_bersalin"),
    "SPM03": ("KN_LENGKAP", "bayi_baru_lahir"),
    "SPM04": ("BALITA_DIPANTAU", "balita"),
    "SPM05": ("SKRINING_ANAK_SEKOLAH", "anak_usia_sekolah"),
    "SPM06": ("SKRINING_USIA_PRODUKTIF", "usia_produktif"),
    "SPM07": ("SKRINING_LANSIA", "lansia"),
    "SPM08": ("YANKES_HIPERTENSI", "penderita_hipertensi"),
    "SPM09": ("YANKES_DM", "penderita_dm"),
    "SPM10": ("YANKES_ODGJ_BERAT", "odgj_berat"),
    "SPM11": ("YANKES_TERDUGA_TB", "terduga_tb"),
    "SPM12": ("TES_HIV", "berisiko_hiv"),
}
