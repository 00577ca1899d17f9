/** The dashboard store reaches components through context; components select small slices of it. */
import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { DashboardState, DashboardStore } from '../store/dashboard.js';

const StoreContext = createContext<DashboardStore | null>(null);

export function DashboardProvider({ store, children }: { store: DashboardStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useDashboardStore(): DashboardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useDashboard outside <DashboardProvider>');
  return store;
}

/** Selects one slice; wrap selectors that build objects or arrays in `useShallow`. */
export function useDashboard<T>(selector: (s: DashboardState) => T): T {
  return useStore(useDashboardStore(), selector);
}
