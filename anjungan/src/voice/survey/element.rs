//! The nine elements (unsur) of the survey of PermenPAN-RB 14/2017, with
//! the question a citizen reads and the four answers in words, in both
//! languages. The words follow the regulation's model form: a citizen who
//! filled one in on paper sees the same scale on the kiosk and the phone.

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    /// 1. Persyaratan.
    Requirements = 1,
    /// 2. Sistem, mekanisme dan prosedur.
    Procedure,
    /// 3. Waktu penyelesaian.
    Time,
    /// 4. Biaya/tarif.
    Fee,
    /// 5. Produk spesifikasi jenis pelayanan.
    Product,
    /// 6. Kompetensi pelaksana.
    Competence,
    /// 7. Perilaku pelaksana.
    Behaviour,
    /// 8. Penanganan pengaduan, saran dan masukan.
    Complaints,
    /// 9. Sarana dan prasarana.
    Facilities,
}

/// What one element says to a citizen in one language.
struct Words {
    name: &'static str,
    question: &'static str,
    /// Score 1 to 4.
    answers: [&'static str; 4],
}

impl Element {
    pub const ALL: [Element; 9] = [
        Element::Requirements,
        Element::Procedure,
        Element::Time,
        Element::Fee,
        Element::Product,
        Element::Competence,
        Element::Behaviour,
        Element::Complaints,
        Element::Facilities,
    ];

    /// 1 to 9, as the regulation numbers them (`u1`..`u9`).
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Element> {
        Element::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// 0 to 8, for arrays of nine.
    pub fn index(self) -> usize {
        usize::from(self.number() - 1)
    }

    /// The element's name: "Persyaratan" / "Requirements".
    pub fn name(self, lang: Lang) -> &'static str {
        self.words(lang).name
    }

    /// The question as a citizen reads it.
    pub fn question(self, lang: Lang) -> &'static str {
        self.words(lang).question
    }

    /// The four answers in words, for scores 1 to 4.
    pub fn answers(self, lang: Lang) -> [&'static str; 4] {
        self.words(lang).answers
    }

    fn words(self, lang: Lang) -> &'static Words {
        let [id, en] = &WORDS[self.index()];
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

const WORDS: [[Words; 2]; 9] = [
    [
        Words {
            name: "Persyaratan",
            question: "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
        },
        Words {
            name: "Requirements",
            question: "Do the requirements fit the service you came for?",
            answers: ["Do not fit", "Fit poorly", "Fit", "Fit very well"],
        },
    ],
    [
        Words {
            name: "Prosedur",
            question: "Bagaimana pendapat Anda tentang kemudahan prosedur pelayanan di unit ini?",
            answers: ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
        },
        Words {
            name: "Procedure",
            question: "How easy was the procedure of this service?",
            answers: ["Not easy", "Rather hard", "Easy", "Very easy"],
        },
    ],
    [
        Words {
            name: "Waktu penyelesaian",
            question: "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
            answers: ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
        },
        Words {
            name: "Time",
            question: "How quickly was the service completed?",
            answers: ["Not quickly", "Rather slowly", "Quickly", "Very quickly"],
        },
    ],
    [
        Words {
            name: "Biaya/tarif",
            question: "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
            answers: ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
        },
        Words {
            name: "Fee",
            question: "How fair was the fee for the service?",
            answers: ["Very expensive", "Rather expensive", "Cheap", "Free"],
        },
    ],
    [
        Words {
            name: "Produk layanan",
            question: "Bagaimana pendapat Anda tentang kesesuaian hasil pelayanan dengan yang tercantum dalam standar pelayanan?",
            answers: ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
        },
        Words {
            name: "Product",
            question: "Did you receive what the service standard promises?",
            answers: [
                "Not as promised",
                "Partly as promised",
                "As promised",
                "Fully as promised",
            ],
        },
    ],
    [
        Words {
            name: "Kompetensi pelaksana",
            question: "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
            answers: [
                "Tidak kompeten",
                "Kurang kompeten",
                "Kompeten",
                "Sangat kompeten",
            ],
        },
        Words {
            name: "Staff competence",
            question: "How capable were the staff who served you?",
            answers: ["Not capable", "Rather incapable", "Capable", "Very capable"],
        },
    ],
    [
        Words {
            name: "Perilaku pelaksana",
            question: "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            answers: [
                "Tidak sopan dan ramah",
                "Kurang sopan dan ramah",
                "Sopan dan ramah",
                "Sangat sopan dan ramah",
            ],
        },
        Words {
            name: "Staff behaviour",
            question: "How polite and friendly were the staff?",
            answers: [
                "Not polite",
                "Rather impolite",
                "Polite and friendly",
                "Very polite and friendly",
            ],
        },
    ],
    [
        Words {
            name: "Penanganan pengaduan",
            question: "Bagaimana pendapat Anda tentang penanganan pengaduan, saran dan masukan di unit ini?",
            answers: [
                "Tidak ada",
                "Ada tetapi tidak berfungsi",
                "Berfungsi kurang maksimal",
                "Dikelola dengan baik",
            ],
        },
        Words {
            name: "Complaint handling",
            question: "How are complaints and suggestions handled here?",
            answers: [
                "Not at all",
                "There is a way, but it does not work",
                "It works, but not fully",
                "Handled well",
            ],
        },
    ],
    [
        Words {
            name: "Sarana dan prasarana",
            question: "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
            answers: ["Buruk", "Cukup", "Baik", "Sangat baik"],
        },
        Words {
            name: "Facilities",
            question: "How good are the facilities (waiting room, seats, toilets, parking)?",
            answers: ["Poor", "Fair", "Good", "Very good"],
        },
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_elements_numbered_as_the_regulation() {
        for (i, e) in Element::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(e.number()), i + 1);
            assert_eq!(Element::from_number(e.number()), Some(e));
            assert_eq!(e.index(), i);
        }
        assert_eq!(Element::from_number(0), None);
        assert_eq!(Element::from_number(10), None);
        assert_eq!(Element::Requirements.name(Lang::Id), "Persyaratan");
        assert_eq!(Element::Facilities.name(Lang::Id), "Sarana dan prasarana");
        assert_eq!(
            Element::Requirements.answers(Lang::Id),
            ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
        );
    }

    #[test]
    fn every_element_has_a_question_and_four_distinct_answers_in_both_languages() {
        for e in Element::ALL {
            for lang in Lang::ALL {
                assert!(e.question(lang).ends_with('?'), "{e:?} {lang}");
                let mut a = e.answers(lang).to_vec();
                a.sort_unstable();
                a.dedup();
                assert_eq!(a.len(), 4, "{e:?} {lang}");
            }
        }
    }
}
