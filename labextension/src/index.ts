// matmul-magic's JupyterLab plugin: the kernel-less Shape Explorer panel (palette command,
// launcher card, restored across reloads). The bench renderer is the MIME extension in ./mime.ts.
// Only this file and the icon load at start-up; the panel and its rules load on first open.
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, type MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IStateDB } from '@jupyterlab/statedb';

import { shapesIcon } from './panel/icon';
import type { ShapePanel } from './panel/panel';
import { DEFAULT_PANEL_STATE, type PanelState, parsePanelState, toJSON } from './panel/state';

export const OPEN_SHAPE_EXPLORER = 'matmul-magic:open-shape-explorer';
const PANEL_ID = 'matmul-magic-shape-explorer';
// Not the tracker's own key (namespace:name = 'matmul-magic:shape-explorer'), which the restorer owns.
const STATE_KEY = 'matmul-magic:shape-explorer-shapes';

const shapeExplorerPlugin: JupyterFrontEndPlugin<void> = {
  id: 'matmul-magic:shape-explorer',
  description: 'A kernel-less Shape Explorer panel for broadcasting rules.',
  autoStart: true,
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    stateDB: IStateDB | null
  ) => {
    const tracker = new WidgetTracker<MainAreaWidget<ShapePanel>>({ namespace: 'matmul-magic' });

    // No state database reads as nothing saved: parsePanelState gives the default.
    const load = async (): Promise<PanelState> => {
      try {
        return parsePanelState(await stateDB?.fetch(STATE_KEY));
      } catch {
        return DEFAULT_PANEL_STATE;
      }
    };
    const save = (state: PanelState): void => {
      void stateDB?.save(STATE_KEY, toJSON(state)).catch((reason) => {
        console.warn('matmul-magic: could not save the Shape Explorer state', reason);
      });
    };

    app.commands.addCommand(OPEN_SHAPE_EXPLORER, {
      label: 'Open Shape Explorer',
      caption: 'Explore broadcasting: type shapes, see the result (no kernel needed)',
      icon: (args) => (args.isPalette ? undefined : shapesIcon),
      execute: async () => {
        const open = tracker.find((w) => w.id === PANEL_ID);
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        const [{ createShapePanel }, initial] = await Promise.all([import('./panel/panel'), load()]);
        const widget = createShapePanel(PANEL_ID, initial, save);
        await tracker.add(widget);
        app.shell.add(widget, 'main');
        if (!widget.isAttached) {
          // Notebook 7's single-document shell keeps its main area for the page's own view.
          // Its side panel is narrow (~311 px): the view lays itself out tighter there.
          widget.addClass('mm-shape-panel-side');
          app.shell.add(widget, 'right', { rank: 1000 });
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    palette?.addItem({ command: OPEN_SHAPE_EXPLORER, category: 'matmul-magic' });
    launcher?.add({ command: OPEN_SHAPE_EXPLORER, category: 'Other', rank: 1 });
    void restorer?.restore(tracker, { command: OPEN_SHAPE_EXPLORER, name: () => 'shape-explorer' });
  }
};

export default [shapeExplorerPlugin];
