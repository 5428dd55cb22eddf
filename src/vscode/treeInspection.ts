// What a tree view shows, as plain rows: for the integration tests that check the views through the
// exported API (a person sees the same through the DOM in the e2e tests).
import * as vscode from 'vscode';

export interface TreeItemView {
  id: string | undefined;
  label: string;
  description: string;
  contextValue: string | undefined;
  depth: number;
  /** the tooltip's source text (Markdown for a MarkdownString), as VS Code is given it */
  tooltip: string;
  /** true when the tooltip is rendered as Markdown */
  markdownTooltip: boolean;
}

export interface AnyTree {
  getChildren(node?: unknown): unknown[] | Thenable<unknown[]>;
  getTreeItem(node: unknown): vscode.TreeItem | Thenable<vscode.TreeItem>;
}

/** Walk a tree provider two levels deep, as a person expanding every row would see it. */
export async function walkTree(tree: AnyTree): Promise<TreeItemView[]> {
  const out: TreeItemView[] = [];
  const visit = async (node: unknown, depth: number): Promise<void> => {
    for (const child of await tree.getChildren(node)) {
      const item = await tree.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : (item.tooltip ?? '');
      out.push({
        id: item.id,
        label,
        description: typeof item.description === 'string' ? item.description : '',
        contextValue: item.contextValue,
        depth,
        tooltip,
        markdownTooltip: item.tooltip instanceof vscode.MarkdownString,
      });
      if (
        depth < 1 &&
        item.collapsibleState !== vscode.TreeItemCollapsibleState.None &&
        item.collapsibleState !== undefined
      )
        await visit(child, depth + 1);
    }
  };
  await visit(undefined, 0);
  return out;
}
