// A multi-step quick input with a Back button and validation on every step (after the VS Code
// quick-input sample). Each step is a function that shows one QuickPick or InputBox and returns the next
// step; Back re-runs the previous step with its earlier answer pre-filled.
import * as vscode from 'vscode';

export class InputFlowAction {
  static readonly back = new InputFlowAction();
  static readonly cancel = new InputFlowAction();
}

export type Step = (input: MultiStepInput) => Promise<Step | void>;

export interface PickOptions<T extends vscode.QuickPickItem> {
  title: string;
  step: number;
  totalSteps: number;
  items: T[];
  activeItem?: T | undefined;
  placeholder?: string;
}

export interface TextOptions {
  title: string;
  step: number;
  totalSteps: number;
  value: string;
  prompt: string;
  placeholder?: string;
  validate: (value: string) => string | undefined;
  password?: boolean;
  /** a slower check on accept (a request to a server): the box stays busy, and a problem keeps it open */
  check?: (value: string) => Promise<string | undefined>;
}

/** The quick input on screen, for integration tests that drive the real widget (set value/items, accept). */
let activeInput: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox | undefined;
export function currentQuickInput(): vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox | undefined {
  return activeInput;
}

export class MultiStepInput {
  private current: vscode.QuickInput | undefined;
  private readonly steps: Step[] = [];

  static async run(start: Step): Promise<boolean> {
    const input = new MultiStepInput();
    return input.stepThrough(start);
  }

  /** true when the flow reached its end, false when cancelled */
  private async stepThrough(start: Step): Promise<boolean> {
    let step: Step | void = start;
    try {
      while (step) {
        this.steps.push(step);
        if (this.current) {
          this.current.enabled = false;
          this.current.busy = true;
        }
        try {
          step = await step(this);
        } catch (error) {
          if (error === InputFlowAction.back) {
            this.steps.pop();
            step = this.steps.pop();
          } else if (error === InputFlowAction.cancel) {
            return false;
          } else {
            throw error;
          }
        }
      }
      return true;
    } finally {
      this.current?.dispose();
      activeInput = undefined;
    }
  }

  async pick<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<T> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T>((resolve, reject) => {
        const input = vscode.window.createQuickPick<T>();
        input.title = options.title;
        input.step = options.step;
        input.totalSteps = options.totalSteps;
        input.placeholder = options.placeholder ?? '';
        input.ignoreFocusOut = true;
        input.items = options.items;
        if (options.activeItem) input.activeItems = [options.activeItem];
        input.buttons = this.steps.length > 1 ? [vscode.QuickInputButtons.Back] : [];
        disposables.push(
          input.onDidTriggerButton((button) => {
            if (button === vscode.QuickInputButtons.Back) reject(InputFlowAction.back);
          }),
          input.onDidAccept(() => {
            const chosen = input.selectedItems[0] ?? input.activeItems[0];
            if (chosen) resolve(chosen);
          }),
          input.onDidHide(() => reject(InputFlowAction.cancel)),
        );
        this.show(input);
      });
    } finally {
      disposables.forEach((d) => d.dispose());
    }
  }

  async text(options: TextOptions): Promise<string> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<string>((resolve, reject) => {
        const input = vscode.window.createInputBox();
        input.title = options.title;
        input.step = options.step;
        input.totalSteps = options.totalSteps;
        input.value = options.value;
        input.prompt = options.prompt;
        input.placeholder = options.placeholder ?? '';
        input.ignoreFocusOut = true;
        input.password = options.password ?? false;
        input.buttons = this.steps.length > 1 ? [vscode.QuickInputButtons.Back] : [];
        input.validationMessage = options.value ? options.validate(options.value) : undefined;
        disposables.push(
          input.onDidTriggerButton((button) => {
            if (button === vscode.QuickInputButtons.Back) reject(InputFlowAction.back);
          }),
          input.onDidChangeValue((value) => {
            input.validationMessage = options.validate(value);
          }),
          input.onDidAccept(() => {
            if (input.busy) return;
            const value = input.value;
            const problem = options.validate(value);
            input.validationMessage = problem;
            if (problem) return;
            if (!options.check) return resolve(value);
            input.busy = true;
            input.enabled = false;
            void options.check(value).then(
              (failed) => {
                input.busy = false;
                input.enabled = true;
                input.validationMessage = failed;
                if (!failed) resolve(value);
              },
              (error: unknown) => {
                input.busy = false;
                input.enabled = true;
                input.validationMessage = error instanceof Error ? error.message : String(error);
              },
            );
          }),
          input.onDidHide(() => reject(InputFlowAction.cancel)),
        );
        this.show(input);
      });
    } finally {
      disposables.forEach((d) => d.dispose());
    }
  }

  private show(input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox): void {
    const previous = this.current;
    this.current = input;
    activeInput = input;
    input.show();
    previous?.dispose();
  }
}
