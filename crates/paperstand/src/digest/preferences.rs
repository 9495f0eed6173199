//! The preferences form of the manage page: reading and checking what a subscriber
//! chose, with a message that says what to fix.

use paperstand_store::{EmptyPolicy, Frequency, MailFormat, Preferences};

use super::period::time_zone;

/// Most category sections.
const MAX_CATEGORIES: usize = 10;
/// Most papers in a section.
const MAX_SECTION: u32 = 50;
/// Most papers picked for you.
const MAX_PICKS: u32 = 20;

/// The preferences form, as posted.
#[derive(Debug, Default)]
pub struct PreferencesForm {
    pub frequency: String,
    pub weekday: Option<String>,
    pub hour: String,
    pub time_zone: String,
    pub trending: String,
    pub categories: Option<String>,
    pub per_category: Option<String>,
    pub empty: String,
    pub format: String,
    /// Papers picked for you (members only).
    pub picks: Option<String>,
    /// Topic ids ticked (members only; each a `topics` field).
    pub topics: Vec<String>,
}

impl PreferencesForm {
    /// The form from its posted fields (a key may come several times: `topics`).
    pub fn from_pairs(pairs: &[(String, String)]) -> PreferencesForm {
        let first = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        PreferencesForm {
            frequency: first("frequency").unwrap_or_default(),
            weekday: first("weekday"),
            hour: first("hour").unwrap_or_default(),
            time_zone: first("time_zone").unwrap_or_default(),
            trending: first("trending").unwrap_or_default(),
            categories: first("categories"),
            per_category: first("per_category"),
            empty: first("empty").unwrap_or_default(),
            format: first("format").unwrap_or_default(),
            picks: first("picks"),
            topics: pairs
                .iter()
                .filter(|(k, _)| k == "topics")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }
}

/// Reads and checks the preferences form.
pub fn parse_preferences(
    form: &PreferencesForm,
    base: &Preferences,
) -> Result<Preferences, String> {
    let number = |name: &str, text: &str, max: u32| -> Result<u32, String> {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("{name} must be a whole number from 0 to {max}."))
    };
    let mut prefs = base.clone();
    prefs.frequency = match form.frequency.as_str() {
        "daily" => Frequency::Daily,
        "weekly" => Frequency::Weekly,
        _ => return Err("Choose daily or weekly.".to_owned()),
    };
    if let Some(day) = &form.weekday {
        prefs.weekday = u8::try_from(number("The day", day, 7)?).unwrap_or(1).max(1);
    }
    prefs.hour = u8::try_from(number("The hour", &form.hour, 23)?).unwrap_or(0);
    let zone = form.time_zone.trim();
    if time_zone(zone).is_none() || zone.len() > 64 {
        return Err(format!(
            "{:?} is not a time zone we know: use a name such as Europe/Berlin, America/New_York or UTC.",
            zone.chars().take(64).collect::<String>()
        ));
    }
    prefs.time_zone = zone.to_owned();
    prefs.trending = number("The number of trending papers", &form.trending, MAX_SECTION)?;
    if let Some(n) = &form.per_category {
        prefs.per_category = number("Papers per category", n, MAX_SECTION)?.max(1);
    }
    let mut categories = Vec::new();
    for raw in form
        .categories
        .as_deref()
        .unwrap_or("")
        .split([',', ' ', '\n', '\r', '\t'])
    {
        let c = raw.trim();
        if c.is_empty() {
            continue;
        }
        let valid = c.len() <= 20
            && c.split('.').count() <= 2
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-')
            && c.chars().next().is_some_and(|ch| ch.is_ascii_lowercase());
        if !valid {
            return Err(format!(
                "{:?} is not an arXiv category: use names such as cs.CL, math.CO or an archive such as cs.",
                c.chars().take(40).collect::<String>()
            ));
        }
        if !categories
            .iter()
            .any(|k: &String| k.eq_ignore_ascii_case(c))
        {
            categories.push(c.to_owned());
        }
    }
    if categories.len() > MAX_CATEGORIES {
        return Err(format!("Choose at most {MAX_CATEGORIES} categories."));
    }
    prefs.categories = categories;
    prefs.empty = match form.empty.as_str() {
        "note" => EmptyPolicy::Note,
        "skip" => EmptyPolicy::Skip,
        _ => return Err("Choose what happens on days with nothing new.".to_owned()),
    };
    prefs.format = match form.format.as_str() {
        "html" => MailFormat::Html,
        "text" => MailFormat::Text,
        _ => return Err("Choose HTML and text, or text only.".to_owned()),
    };
    if let Some(picks) = &form.picks {
        prefs.picks = number("Papers picked for you", picks, MAX_PICKS)?;
    }
    let mut topics = Vec::new();
    for raw in &form.topics {
        let id: i64 = raw.trim().parse().map_err(|_| {
            format!(
                "{:?} is not one of your topics.",
                raw.chars().take(20).collect::<String>()
            )
        })?;
        if !topics.contains(&id) {
            topics.push(id);
        }
    }
    if topics.len() > MAX_CATEGORIES {
        return Err(format!("Choose at most {MAX_CATEGORIES} topics."));
    }
    prefs.topics = topics;
    if prefs.trending == 0
        && prefs.categories.is_empty()
        && prefs.topics.is_empty()
        && prefs.picks == 0
    {
        return Err("Keep at least one section: trending papers or a category.".to_owned());
    }
    Ok(prefs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PreferencesForm {
        PreferencesForm {
            frequency: "weekly".to_owned(),
            weekday: Some("3".to_owned()),
            hour: "18".to_owned(),
            time_zone: "America/New_York".to_owned(),
            trending: "10".to_owned(),
            categories: Some("cs.CL, cs.cl math\ncs.LG".to_owned()),
            per_category: Some("4".to_owned()),
            empty: "skip".to_owned(),
            format: "text".to_owned(),
            ..PreferencesForm::default()
        }
    }

    #[test]
    fn a_good_form_is_read_whole() {
        let prefs = parse_preferences(&form(), &Preferences::default()).unwrap();
        assert_eq!(prefs.frequency, Frequency::Weekly);
        assert_eq!((prefs.weekday, prefs.hour), (3, 18));
        assert_eq!(prefs.categories, vec!["cs.CL", "math", "cs.LG"]);
        assert_eq!(
            (prefs.empty, prefs.format),
            (EmptyPolicy::Skip, MailFormat::Text)
        );
    }

    #[test]
    fn bad_values_say_what_to_fix() {
        type Change = fn(&mut PreferencesForm);
        let cases: Vec<(Change, &str)> = vec![
            (|f| f.frequency = "hourly".to_owned(), "daily or weekly"),
            (|f| f.hour = "24".to_owned(), "The hour"),
            (|f| f.hour = "-1".to_owned(), "The hour"),
            (
                |f| f.time_zone = "Europe/Atlantis".to_owned(),
                "not a time zone",
            ),
            (|f| f.trending = "51".to_owned(), "trending"),
            (
                |f| f.categories = Some("<script>".to_owned()),
                "not an arXiv category",
            ),
            (
                |f| f.categories = Some("a,b,c,d,e,f,g,h,i,j,k".to_owned()),
                "at most 10",
            ),
            (|f| f.empty = "maybe".to_owned(), "nothing new"),
            (|f| f.format = "pdf".to_owned(), "text only"),
            (
                |f| {
                    f.trending = "0".to_owned();
                    f.categories = None;
                },
                "at least one section",
            ),
        ];
        for (change, expected) in cases {
            let mut f = form();
            change(&mut f);
            let error = parse_preferences(&f, &Preferences::default()).unwrap_err();
            assert!(error.contains(expected), "{error:?} lacks {expected:?}");
        }
    }
}
