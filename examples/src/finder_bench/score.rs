//! Suggestion rules scored against the grid's bands, and the
//! leave-one-task-out choice of a rule's constants.

use burn_lr_finder::descent::descent_with;
use burn_lr_finder::{Method, two_sided};

use super::band::Band;
use super::data::SweepRun;

/// A rule family: a reference LR read from a curve with a shape setting,
/// divided by a constant fitted for each schedule (fastai's rules are taken
/// as they are: no setting, divisor 1).
pub struct Family {
    /// Name in the report.
    pub name: &'static str,
    /// What it does.
    pub about: &'static str,
    /// The shape settings the fit chooses from, with their labels.
    pub shapes: Vec<(String, [f64; 2])>,
    /// The divisors the fit chooses from, for each schedule.
    pub divisors: Vec<f64>,
    /// The reference LR of a curve with a shape setting.
    pub reference: fn(&SweepRun, [f64; 2]) -> Option<f64>,
}

/// The curve's raw losses (the benchmark records them).
fn raw(run: &SweepRun) -> &[f64] {
    &run.curve.raw_losses
}

/// The two-sided smoothed raw loss, with its minimum's index.
fn smoothed(run: &SweepRun, width: f64) -> Option<(Vec<f64>, usize)> {
    let s = two_sided(&run.curve.lrs, raw(run), width);
    let min = (0..s.len()).min_by(|&a, &b| s[a].total_cmp(&s[b]))?;
    Some((s, min))
}

/// The family the library ships (`Method::Descent`).
pub const SHIPPED: &str = "descent f / k";

/// The families compared: fastai's three rules as `Learner.lr_find` applies
/// them, and five families read from the two-sided smoothed raw loss or the
/// sweep's end.
pub fn families() -> Vec<Family> {
    let widths = |values: &[f64]| -> Vec<(String, [f64; 2])> {
        [0.1, 0.2, 0.3]
            .iter()
            .flat_map(|&w| values.iter().map(move |&v| (w, v)))
            .map(|(w, v)| (format!("width {w}, {v}"), [w, v]))
            .collect()
    };
    let baseline = |name, about, reference| Family {
        name,
        about,
        shapes: vec![("-".to_string(), [0.0, 0.0])],
        divisors: vec![1.0],
        reference,
    };
    let divisors = vec![1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0];
    vec![
        baseline(
            "fastai valley",
            "a third and a half into the longest decreasing run of the EMA loss",
            |run, _| run.suggestion(Method::Valley),
        ),
        baseline(
            "fastai steep",
            "the steepest descent of the EMA loss",
            |run, _| run.suggestion(Method::Steepest),
        ),
        baseline("fastai minimum", "the EMA loss's minimum / 10", |run, _| {
            run.suggestion(Method::Minimum)
        }),
        Family {
            name: "minimum / k",
            about: "the minimum of the two-sided smoothed loss (width in decades)",
            shapes: widths(&[0.0]),
            divisors: divisors.clone(),
            reference: |run, [w, _]| smoothed(run, w).map(|(_, i)| run.curve.lrs[i]),
        },
        Family {
            name: "valley floor / k",
            about: "the geometric centre of the valley floor: the points around the two-sided smoothed \
                    loss's minimum that are within a fraction e of its fall (width 0.1 decade)",
            shapes: [0.05, 0.1, 0.2]
                .iter()
                .map(|&e| (format!("e {e}"), [0.1, e]))
                .collect(),
            divisors: divisors.clone(),
            reference: |run, [w, e]| {
                let (s, min) = smoothed(run, w)?;
                let ceiling = s[min] + e * (s[0] - s[min]);
                let low = (0..=min).rev().take_while(|&i| s[i] <= ceiling).last()?;
                let high = (min..s.len()).take_while(|&i| s[i] <= ceiling).last()?;
                Some((run.curve.lrs[low] * run.curve.lrs[high]).sqrt())
            },
        },
        Family {
            name: SHIPPED,
            about: "the first LR where the two-sided smoothed loss has made a fraction f of its fall from \
                    the first point to the minimum",
            shapes: widths(&[0.5, 0.8, 0.9, 0.95]),
            divisors: vec![0.5, 2.0 / 3.0, 1.0, 1.5, 2.0],
            reference: |run, [w, f]| descent_with(&run.curve.lrs, raw(run), w, f).map(|d| d.lr),
        },
        Family {
            name: "steepest / k",
            about: "the steepest descent of the two-sided smoothed loss before its minimum",
            shapes: widths(&[0.0]),
            divisors: vec![0.1, 0.2, 0.33, 0.5, 1.0],
            reference: |run, [w, _]| {
                let (s, min) = smoothed(run, w)?;
                let x = |i: usize| run.curve.lrs[i].ln();
                let slope = |i: usize| (s[i + 1] - s[i]) / (x(i + 1) - x(i));
                (0..min)
                    .min_by(|&a, &b| slope(a).total_cmp(&slope(b)))
                    .map(|i| run.curve.lrs[i])
            },
        },
        Family {
            name: "end / k",
            about: "the sweep's last LR (where it diverged or ended)",
            shapes: vec![("-".to_string(), [0.0, 0.0])],
            divisors: vec![3.0, 5.0, 10.0, 20.0, 30.0, 50.0, 100.0],
            reference: |run, _| run.curve.lrs.last().copied(),
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

    /// What the fit maximises: hits in the band, a collapse costing three;
    /// then the smaller median error (in micro-decades).
    pub fn objective(&self) -> (i64, std::cmp::Reverse<u64>) {
        let median = (self.median_error() * 1e6) as u64;
        (
            self.in_band as i64 - 3 * self.collapses as i64,
            std::cmp::Reverse(median),
        )
    }
}

/// The grid's bands of one schedule, by task.
pub type Bands<'a> = &'a [Band];

/// Scores the reference LRs of `shape` divided by `divisor` on the curves of
/// `runs` whose task has a band.
pub fn score(
    family: &Family,
    shape: [f64; 2],
    divisor: f64,
    runs: &[&SweepRun],
    bands: Bands,
) -> Score {
    let mut score = Score::default();
    for run in runs {
        if let Some(band) = bands.iter().find(|b| b.task == run.task) {
            score.add(band, (family.reference)(run, shape).map(|lr| lr / divisor));
        }
    }
    score
}

/// A family's constants: a shape, and a divisor for each schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Index into the family's shapes.
    pub shape: usize,
    /// The divisor of each schedule (in the order of the bands given).
    pub divisors: Vec<f64>,
}

impl Fitted {
    /// The constants in words.
    pub fn label(&self, family: &Family) -> String {
        let k: Vec<String> = self
            .divisors
            .iter()
            .map(|k| format!("k {}", (k * 1000.0).round() / 1000.0))
            .collect();
        format!("{}; {}", family.shapes[self.shape].0, k.join(" / "))
    }
}

/// The constants that score best on `runs`: for each shape the best divisor
/// of each schedule, then the shape with the best total.
pub fn fit(family: &Family, runs: &[&SweepRun], schedules: &[Bands]) -> Fitted {
    let mut best: Option<(Fitted, i64, u64)> = None;
    for (i, (_, shape)) in family.shapes.iter().enumerate() {
        let (mut total, mut median, mut divisors) = (0, 0, Vec::new());
        for bands in schedules {
            let (k, objective) = family
                .divisors
                .iter()
                .map(|&k| (k, score(family, *shape, k, runs, bands).objective()))
                .max_by_key(|(_, o)| *o)
                .unwrap_or((1.0, (0, std::cmp::Reverse(0))));
            total += objective.0;
            median += objective.1.0;
            divisors.push(k);
        }
        if best.as_ref().is_none_or(|(_, t, m)| {
            (total, std::cmp::Reverse(median)) > (*t, std::cmp::Reverse(*m))
        }) {
            best = Some((Fitted { shape: i, divisors }, total, median));
        }
    }
    best.map_or(
        Fitted {
            shape: 0,
            divisors: vec![1.0; schedules.len()],
        },
        |(f, _, _)| f,
    )
}

/// A family's leave-one-task-out result.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Per task: the constants fitted without it, and its score on it for
    /// each schedule.
    pub tasks: Vec<(String, Fitted, Vec<Score>)>,
    /// All held-out scores together, per schedule.
    pub total: Vec<Score>,
}

impl HeldOut {
    /// Hits in the band minus three per collapse, over every schedule.
    pub fn objective(&self) -> i64 {
        self.total.iter().map(|s| s.objective().0).sum()
    }
}

/// For each task, fits the family on the other tasks' curves and scores the
/// fitted constants on this task's curves.
pub fn leave_one_task_out(family: &Family, runs: &[&SweepRun], schedules: &[Bands]) -> HeldOut {
    let mut total = vec![Score::default(); schedules.len()];
    let tasks: Vec<String> = schedules
        .first()
        .map(|bands| bands.iter().map(|b| b.task.clone()).collect())
        .unwrap_or_default();
    let tasks = tasks
        .into_iter()
        .map(|task| {
            let others: Vec<&SweepRun> = runs.iter().copied().filter(|r| r.task != task).collect();
            let mine: Vec<&SweepRun> = runs.iter().copied().filter(|r| r.task == task).collect();
            let fitted = fit(family, &others, schedules);
            let held: Vec<Score> = schedules
                .iter()
                .zip(&fitted.divisors)
                .map(|(bands, &k)| score(family, family.shapes[fitted.shape].1, k, &mine, bands))
                .collect();
            for (t, h) in total.iter_mut().zip(&held) {
                t.merge(h);
            }
            (task, fitted, held)
        })
        .collect();
    HeldOut { tasks, total }
}
