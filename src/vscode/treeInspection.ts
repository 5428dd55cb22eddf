// What a tree view shows, as plain rows: for the integration tests that check the views through the
// exported API (a person sees the same through the DOM in the e2e tests).
import * as vscode from 'vscode';

export interface TreeItemView {
  id: string | undefined;
  label: string;
  description: string;
  contextValue: string | undefined;
  depth: number;
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
      out.push({ id: item.id, label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue, depth });
      if (depth < 1 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None && item.collapsibleState !== undefined) await visit(child, depth + 1);
    }
  };
  await visit(undefined, 0);
  return out;
}
