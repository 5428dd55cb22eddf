// Offers the weekly and monthly reviews (src/domain/reviewCadence.ts) as a quiet notification that
// opens the report at that review. Checked a minute after start-up and then hourly; which reviews were
// already offered lives in globalState, so a review is offered once across restarts and windows.
import * as vscode from 'vscode';
import { nextReview, type Review } from '../domain/reviewCadence';
import type { FeatureDeps } from './featureDeps';
import { reportTimeZone } from '../flows/report/reportInputs';
import { readState, writeState } from './storageKeys';
import { showInformationMessage } from './notify';

const FIRST_CHECK_MS = 60_000;
const CHECK_EVERY_MS = 60 * 60_000;

function reviewMessage(review: Review, classLabel: (id: string) => string): string {
  if (review.kind === 'monthly') return `Spend Band: ${review.window.label} has ended. Your monthly review is ready.`;
  const classes = review.classes.map(classLabel).join(' and ');
  return `Spend Band: your weekly review of ${classes} (${review.window.label.replace(/^Week of /, 'week of ')}) is ready.`;
}

export class ReviewScheduler implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: FeatureDeps,
    private readonly open: (review: Review) => Promise<unknown>,
    private readonly classLabel: (id: string) => string,
  ) {}

  start(): void {
    this.timer = setTimeout(() => {
      void this.check();
      this.interval = setInterval(() => void this.check(), CHECK_EVERY_MS);
    }, FIRST_CHECK_MS);
  }

  /** Offers the review due at `now`, if any; resolves with it (for tests) once the notification is up. */
  async check(now = new Date()): Promise<Review | undefined> {
    try {
      if (!this.deps.config.get('spendBand.reviews.enabled')) return undefined;
      const state = this.deps.context.globalState;
      const zone = reportTimeZone(this.deps.snapshot()?.document, this.deps.config.get('spendBand.local.timezone'));
      const decision = nextReview(now, zone, readState(state, 'reviewsShown'), {
        volatileClasses: this.deps.config.get('spendBand.reviews.volatileClasses'),
      });
      // remembered before it is shown: a second window checking at the same time must not offer it again
      await writeState(state, 'reviewsShown', decision.memory);
      const review = decision.review;
      if (!review) return undefined;
      this.deps.log.info(`Offering the ${review.kind} review ${review.id}.`);
      void showInformationMessage(reviewMessage(review, this.classLabel), 'Open Review').then((choice) => {
        if (choice === 'Open Review') void this.open(review);
      });
      return review;
    } catch (error) {
      this.deps.log.warn(`Review check failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.interval);
  }
}
