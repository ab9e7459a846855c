//! Suggestion rules scored against the grid's bands, and the
//! leave-one-task-out choice of a rule's constants.

use burn_lr_finder::{Method, RangeTest, Stop, two_sided};

use super::band::Band;
use super::data::SweepRun;

/// A rule family: a suggestion from a curve and a setting; fastai's rules
/// have one setting (none).
pub struct Family {
    /// Name in the report.
    pub name: &'static str,
    /// What it does.
    pub about: &'static str,
    /// The settings the fit chooses from, with their labels.
    pub settings: Vec<(String, [f64; 2])>,
    /// The suggested LR for a curve and setting.
    pub suggest: fn(&SweepRun, [f64; 2]) -> Option<f64>,
}

fn fastai(run: &SweepRun, method: Method) -> Option<f64> {
    let test = RangeTest {
        model: (),
        curve: run.curve.clone(),
        stop: Stop::Completed,
        num_iter: run.num_iter,
    };
    test.suggestion(method).map(|s| s.lr)
}

/// The two-sided smoothed raw loss, with its minimum's index.
fn smoothed(run: &SweepRun, width: f64) -> Option<(Vec<f64>, usize)> {
    let curve = &run.curve;
    let raw = if curve.raw_losses.len() == curve.len() {
        &curve.raw_losses
    } else {
        &curve.losses
    };
    let s = two_sided(&curve.lrs, raw, width);
    let min = (0..s.len()).min_by(|&a, &b| s[a].total_cmp(&s[b]))?;
    Some((s, min))
}

/// The families compared: fastai's three rules as `Learner.lr_find` applies
/// them, and four families read from the two-sided smoothed raw loss.
pub fn families() -> Vec<Family> {
    let widths = [0.1, 0.2, 0.3];
    let grid = |values: &[f64], label: &dyn Fn(f64, f64) -> String| {
        widths
            .iter()
            .flat_map(|&w| values.iter().map(move |&v| (w, v)))
            .map(|(w, v)| (label(w, v), [w, v]))
            .collect::<Vec<_>>()
    };
    let fixed = || vec![("-".to_string(), [0.0, 0.0])];
    vec![
        Family {
            name: "fastai valley",
            about: "a third and a half into the longest decreasing run of the EMA loss",
            settings: fixed(),
            suggest: |run, _| fastai(run, Method::Valley),
        },
        Family {
            name: "fastai steep",
            about: "the steepest descent of the EMA loss",
            settings: fixed(),
            suggest: |run, _| fastai(run, Method::Steepest),
        },
        Family {
            name: "fastai minimum",
            about: "the EMA loss's minimum / 10",
            settings: fixed(),
            suggest: |run, _| fastai(run, Method::Minimum),
        },
        Family {
            name: "minimum / k",
            about: "the two-sided smoothed loss's minimum divided by k",
            settings: grid(&[1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0], &|w, k| format!("width {w}, k {k}")),
            suggest: |run, [w, k]| smoothed(run, w).map(|(_, i)| run.curve.lrs[i] / k),
        },
        Family {
            name: "fall fraction f",
            about: "the first LR where the two-sided smoothed loss has made a fraction f of its fall to the minimum",
            settings: grid(&[0.5, 0.7, 0.8, 0.9, 0.95, 0.98], &|w, f| format!("width {w}, f {f}")),
            suggest: |run, [w, f]| {
                let (s, min) = smoothed(run, w)?;
                let target = s[0] - f * (s[0] - s[min]);
                (0..=min).find(|&i| s[i] <= target).map(|i| run.curve.lrs[i])
            },
        },
        Family {
            name: "steepest x k",
            about: "the steepest descent of the two-sided smoothed loss (before its minimum) times k",
            settings: grid(&[1.0, 2.0, 3.0, 5.0, 10.0], &|w, k| format!("width {w}, k {k}")),
            suggest: |run, [w, k]| {
                let (s, min) = smoothed(run, w)?;
                let x = |i: usize| run.curve.lrs[i].ln();
                (0..min)
                    .min_by(|&a, &b| {
                        let slope = |i: usize| (s[i + 1] - s[i]) / (x(i + 1) - x(i));
                        slope(a).total_cmp(&slope(b))
                    })
                    .map(|i| run.curve.lrs[i] * k)
            },
        },
        Family {
            name: "end / k",
            about: "the sweep's last LR (where it diverged or ended) divided by k",
            settings: [3.0, 5.0, 10.0, 20.0, 30.0, 50.0]
                .iter()
                .map(|&k| (format!("k {k}"), [0.0, k]))
                .collect(),
            suggest: |run, [_, k]| run.curve.lrs.last().map(|lr| lr / k),
        },
    ]
}

/// How a rule did on a set of curves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Curves read.
    pub curves: usize,
    /// Suggestions in the good band.
    pub in_band: usize,
    /// Suggestions at or above the collapse LR.
    pub collapses: usize,
    /// `|log10(suggested / best)|` of each curve (infinite without a suggestion).
    pub errors: Vec<f64>,
}

impl Score {
    /// Adds one suggestion for a curve of the band's task.
    pub fn add(&mut self, band: &Band, lr: Option<f64>) {
        self.curves += 1;
        match lr {
            Some(lr) => {
                self.in_band += band.contains(lr) as usize;
                self.collapses += band.collapses(lr) as usize;
                self.errors.push((lr / band.best_lr()).log10().abs());
            }
            None => self.errors.push(f64::INFINITY),
        }
    }

    /// Merges another score.
    pub fn merge(&mut self, other: &Score) {
        self.curves += other.curves;
        self.in_band += other.in_band;
        self.collapses += other.collapses;
        self.errors.extend(&other.errors);
    }

    /// The median error, in decades.
    pub fn median_error(&self) -> f64 {
        let mut e = self.errors.clone();
        e.sort_by(f64::total_cmp);
        match e.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => e[n / 2],
            n => 0.5 * (e[n / 2 - 1] + e[n / 2]),
        }
    }

    /// The worst error, in decades.
    pub fn worst_error(&self) -> f64 {
        self.errors.iter().copied().fold(0.0, f64::max)
    }

    /// What the fit maximises: hits in the band, a collapse costing three.
    fn objective(&self) -> (i64, std::cmp::Reverse<u64>) {
        let median = (self.median_error() * 1e6) as u64;
        (self.in_band as i64 - 3 * self.collapses as i64, std::cmp::Reverse(median))
    }
}

/// Scores `family` with `setting` on the curves of `runs` whose task has a band.
pub fn score(family: &Family, setting: [f64; 2], runs: &[&SweepRun], bands: &[&Band]) -> Score {
    let mut score = Score::default();
    for run in runs {
        if let Some(band) = bands.iter().find(|b| b.task == run.task) {
            score.add(band, (family.suggest)(run, setting));
        }
    }
    score
}

/// The setting that scores best on `runs`.
pub fn fit(family: &Family, runs: &[&SweepRun], bands: &[&Band]) -> usize {
    (0..family.settings.len())
        .max_by_key(|&i| score(family, family.settings[i].1, runs, bands).objective())
        .unwrap_or(0)
}

/// A family's leave-one-task-out result.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Per task: the setting fitted without it, and its score on it.
    pub tasks: Vec<(String, usize, Score)>,
    /// All held-out scores together.
    pub total: Score,
}

/// For each task, fits the family on the other tasks' curves and scores the
/// fitted setting on this task's curves.
pub fn leave_one_task_out(family: &Family, runs: &[&SweepRun], bands: &[&Band]) -> HeldOut {
    let mut total = Score::default();
    let tasks = bands
        .iter()
        .map(|band| {
            let others: Vec<&SweepRun> = runs.iter().copied().filter(|r| r.task != band.task).collect();
            let mine: Vec<&SweepRun> = runs.iter().copied().filter(|r| r.task == band.task).collect();
            let setting = fit(family, &others, bands);
            let held = score(family, family.settings[setting].1, &mine, bands);
            total.merge(&held);
            (band.task.clone(), setting, held)
        })
        .collect();
    HeldOut { tasks, total }
}
