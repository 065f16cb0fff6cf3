// Unsaved work in an editor is not lost by a stray click: reloading or closing the tab gets the
// browser's own warning, and following a link or going back inside the app asks first.
import { router } from './router.svelte.ts';

/** Guards the page while it holds unsaved work; returns the function that lifts the guard. */
export function guardUnsavedChanges(message: () => string): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  const release = router.guardLeave(() => confirm(message()));
  return () => {
    window.removeEventListener('beforeunload', onBeforeUnload);
    release();
  };
}
