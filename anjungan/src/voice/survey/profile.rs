//! The respondent's profile that SKM reports show: sex, age band,
//! education, occupation. Every part is optional and a fixed code: never a
//! name, never free text, so the profile cannot carry who someone is.

use serde::Serialize;

code_list!(
    /// Jenis kelamin.
    Sex, "a sex", {
    Male = "male", "Laki-laki", "Male";
    Female = "female", "Perempuan", "Female";
});

code_list!(
    /// Umur, in the bands reports use.
    AgeBand, "an age band", {
    Under20 = "under-20", "Di bawah 20 tahun", "Under 20";
    From20 = "20-29", "20-29 tahun", "20-29";
    From30 = "30-39", "30-39 tahun", "30-39";
    From40 = "40-49", "40-49 tahun", "40-49";
    From50 = "50-59", "50-59 tahun", "50-59";
    From60 = "60-plus", "60 tahun ke atas", "60 or older";
});

code_list!(
    /// Pendidikan terakhir.
    Education, "an education", {
    Primary = "primary", "SD ke bawah", "Primary school or less";
    Junior = "junior", "SMP", "Junior high school";
    Senior = "senior", "SMA/SMK", "Senior high school";
    Diploma = "diploma", "D1-D3", "Diploma";
    Bachelor = "bachelor", "D4/S1", "Bachelor's degree";
    Postgraduate = "postgraduate", "S2 ke atas", "Master's or doctorate";
});

code_list!(
    /// Pekerjaan utama.
    Occupation, "an occupation", {
    CivilServant = "civil-servant", "PNS/TNI/Polri", "Civil servant, military or police";
    Employee = "employee", "Pegawai swasta", "Private employee";
    SelfEmployed = "self-employed", "Wiraswasta/usahawan", "Self-employed";
    Student = "student", "Pelajar/mahasiswa", "Student";
    Other = "other", "Lainnya", "Other";
});

/// Who answered, as far as they chose to say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub sex: Option<Sex>,
    pub age: Option<AgeBand>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn codes_round_trip_and_refusals_list_the_codes() {
        for a in AgeBand::ALL {
            assert_eq!(a.code().parse::<AgeBand>().unwrap(), *a);
            assert!(!a.label(Lang::Id).is_empty());
        }
        let m = "Budi".parse::<Occupation>().unwrap_err();
        assert!(m.contains("civil-servant") && m.contains("other"), "{m}");
        assert_eq!(Sex::Female.label(Lang::Id), "Perempuan");
        assert_eq!(
            serde_json::to_string(&Education::Bachelor).unwrap(),
            "\"bachelor\""
        );
    }
}
