//! What Indonesian and English words mean to search: their stems (Sastrawi
//! for Indonesian, Snowball for English), stop words, and the everyday
//! equivalences citizens use.

use std::collections::HashMap;
use std::sync::LazyLock;

use sastrawi::{Dictionary, Stemmer};

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(Dictionary::new);

/// The two stemmers, loaded once per process.
pub struct Stemmers {
    indonesian: Stemmer<'static>,
    english: rust_stemmers::Stemmer,
}

impl Stemmers {
    pub fn new() -> Stemmers {
        Stemmers {
            indonesian: Stemmer::new(&DICTIONARY),
            english: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
        }
    }

    /// `pendaftaran` → `daftar`. Words with digits are codes, not words.
    pub fn indonesian(&self, word: &str) -> String {
        if word.len() < 4 || word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_owned();
        }
        let stem = self.indonesian.stem_word(word);
        // Colloquial `ng-` before a vowel ("ngurus" for "mengurus"), which
        // Sastrawi leaves alone.
        if stem == word
            && let Some(rest) = word.strip_prefix("ng").or_else(|| word.strip_prefix("nge"))
            && rest.starts_with(['a', 'e', 'i', 'o', 'u'])
            && DICTIONARY.find(rest)
        {
            return rest.to_owned();
        }
        loan_root(&stem).to_owned()
    }

    /// `certificates` → `certif`.
    pub fn english(&self, word: &str) -> String {
        if word.len() < 4 || word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_owned();
        }
        self.english.stem(word).into_owned()
    }
}

impl Default for Stemmers {
    fn default() -> Self {
        Stemmers::new()
    }
}

/// Loanwords in `-isasi` and `-isir` share their root: Sastrawi's
/// dictionary knows "legalisasi" as a word but stems "legalisir" to
/// "legal", so both are brought to "legal" here.
fn loan_root(stem: &str) -> &str {
    for suffix in ["isasi", "isir"] {
        if let Some(root) = stem.strip_suffix(suffix)
            && root.len() >= 4
        {
            return root;
        }
    }
    stem
}

/// Words that carry no meaning in a query: "cara membuat akta" is about akta.
pub fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        // Indonesian
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "atau",
        "ini",
        "itu",
        "pada",
        "oleh",
        "dalam",
        "bagi",
        "saya",
        "aku",
        "mau",
        "ingin",
        "bagaimana",
        "gimana",
        "cara",
        "apa",
        "apakah",
        "bisa",
        "tolong",
        "mohon",
        "para",
        "nya",
        "si",
        "sang",
        "kah",
        "dong",
        "juga",
        "ada",
        "tidak",
        "akan",
        "sudah",
        "telah",
        "adalah",
        "sebagai",
        "serta",
        // English
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "and",
        "or",
        "in",
        "on",
        "at",
        "by",
        "with",
        "my",
        "how",
        "i",
        "want",
        "get",
        "do",
        "is",
        "are",
        "be",
        "can",
        "from",
        "your",
        "me",
    ];
    STOP.contains(&word)
}

/// Groups of words citizens use for the same thing. Single words only;
/// abbreviations of several words are in [`ABBREVIATIONS`].
const EQUIVALENT: &[&[&str]] = &[
    &["akta", "akte"],
    &[
        "nikah",
        "kawin",
        "perkawinan",
        "pernikahan",
        "marriage",
        "wedding",
    ],
    &["cerai", "perceraian", "talak", "divorce"],
    &["lahir", "kelahiran", "birth"],
    &["mati", "meninggal", "wafat", "kematian", "death"],
    &["pindah", "pindahan", "mutasi", "moving", "relocation"],
    &["hilang", "kehilangan", "lost"],
    &["buat", "bikin", "pembuatan", "membuat"],
    &["ganti", "ubah", "perubahan", "penggantian"],
    &["perpanjang", "perpanjangan", "renewal", "renew"],
    &["izin", "ijin", "perizinan", "permit", "license", "licence"],
    &["kerja", "pekerjaan", "job", "work"],
    &["loker", "lowongan", "vacancy", "vacancies"],
    &["motor", "kendaraan", "vehicle"],
    &["mobil", "kendaraan", "car"],
    &["sekolah", "school"],
    &["bayar", "pembayaran", "setor", "payment", "pay"],
    &["sakit", "kesehatan", "health"],
    &["dokter", "doctor"],
    &["rumah", "house", "housing"],
    &["tanah", "lahan", "land"],
    &["miskin", "poor"],
    &["bantuan", "bansos", "aid", "assistance"],
    &[
        "aduan",
        "pengaduan",
        "keluhan",
        "lapor",
        "complaint",
        "complaints",
    ],
    &["wifi", "internet", "hotspot"],
    &["ktp", "ektp", "ktpel"],
    &["anak", "child", "children"],
    &["bayi", "baby"],
    &["usaha", "bisnis", "business"],
    &["pajak", "tax"],
    &["bangunan", "gedung", "building"],
    &["umkm", "ukm"],
];

/// Abbreviations and the words they stand for. A text with the words in a
/// row is indexed under the abbreviation too, and a text with the
/// abbreviation under the words: `kk` finds "Kartu Keluarga" and
/// "rumah sakit" finds "RSUD" where the bundle gives no keyword.
pub const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("ktp", &["kartu", "tanda", "penduduk"]),
    ("kk", &["kartu", "keluarga"]),
    ("kia", &["kartu", "identitas", "anak"]),
    ("nik", &["nomor", "induk", "kependudukan"]),
    ("npwp", &["nomor", "pokok", "wajib", "pajak"]),
    ("nib", &["nomor", "induk", "berusaha"]),
    ("pbb", &["pajak", "bumi", "dan", "bangunan"]),
    ("pbg", &["persetujuan", "bangunan", "gedung"]),
    ("slf", &["sertifikat", "laik", "fungsi"]),
    ("sktm", &["surat", "keterangan", "tidak", "mampu"]),
    ("skck", &["surat", "keterangan", "catatan", "kepolisian"]),
    ("sip", &["surat", "izin", "praktik"]),
    ("pkh", &["program", "keluarga", "harapan"]),
    ("kis", &["kartu", "indonesia", "sehat"]),
    ("kip", &["kartu", "indonesia", "pintar"]),
    ("bpjs", &["badan", "penyelenggara", "jaminan", "sosial"]),
    ("umkm", &["usaha", "mikro", "kecil", "dan", "menengah"]),
    ("pkb", &["pajak", "kendaraan", "bermotor"]),
    (
        "bphtb",
        &[
            "bea",
            "perolehan",
            "hak",
            "atas",
            "tanah",
            "dan",
            "bangunan",
        ],
    ),
    (
        "ppid",
        &["pejabat", "pengelola", "informasi", "dan", "dokumentasi"],
    ),
    ("blk", &["balai", "latihan", "kerja"]),
    ("ak1", &["kartu", "pencari", "kerja"]),
    ("rsud", &["rumah", "sakit", "umum", "daerah"]),
    ("puskesmas", &["pusat", "kesehatan", "masyarakat"]),
    ("dukcapil", &["kependudukan", "dan", "pencatatan", "sipil"]),
    ("stnk", &["surat", "tanda", "nomor", "kendaraan"]),
    ("bpkb", &["buku", "pemilik", "kendaraan", "bermotor"]),
    ("sim", &["surat", "izin", "mengemudi"]),
    ("paud", &["pendidikan", "anak", "usia", "dini"]),
    ("pip", &["program", "indonesia", "pintar"]),
    ("dtks", &["data", "terpadu", "kesejahteraan", "sosial"]),
    ("siup", &["surat", "izin", "usaha", "perdagangan"]),
    ("sppt", &["surat", "pemberitahuan", "pajak", "terutang"]),
    ("ikd", &["identitas", "kependudukan", "digital"]),
    ("pmi", &["pekerja", "migran", "indonesia"]),
    (
        "skpwni",
        &[
            "surat",
            "keterangan",
            "pindah",
            "warga",
            "negara",
            "indonesia",
        ],
    ),
];

/// Every word's equivalents (not including itself).
pub static EQUIVALENTS: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    let mut map: HashMap<&str, Vec<&str>> = HashMap::new();
    for group in EQUIVALENT {
        for &word in *group {
            let entry = map.entry(word).or_default();
            for &other in *group {
                if other != word && !other.contains(' ') && !entry.contains(&other) {
                    entry.push(other);
                }
            }
        }
    }
    map
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_affixes() {
        let s = Stemmers::new();
        assert_eq!(s.indonesian("pendaftaran"), "daftar");
        assert_eq!(s.indonesian("pencari"), "cari");
        assert_eq!(s.indonesian("kelahiran"), "lahir");
        assert_eq!(s.indonesian("ktp"), "ktp");
        assert_eq!(s.indonesian("legalisir"), s.indonesian("legalisasi"));
        assert_eq!(s.indonesian("dilegalisasi"), "legal");
        assert_eq!(s.indonesian("ngurus"), s.indonesian("mengurus"));
        assert_eq!(s.english("certificates"), s.english("certificate"));
    }

    #[test]
    fn equivalents_are_symmetric() {
        for (word, others) in EQUIVALENTS.iter() {
            for other in others {
                assert!(EQUIVALENTS[other].contains(word), "{word} ~ {other}");
            }
        }
        assert!(EQUIVALENTS["akte"].contains(&"akta"));
        assert!(EQUIVALENTS["nikah"].contains(&"kawin"));
    }
}
