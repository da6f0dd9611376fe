"use client";

// Short messages at the corner of the page, read out politely: any client
// component under the provider calls useToast() to show one.
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { ToastCard, type Toast } from "@/app/components/toast-card";

/** At most this many at once: the oldest go first. */
const STACK = 4;

const ToastContext = createContext<(toast: Toast) => void>(() => {});

let nextId = 0;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<(Toast & { id: number })[]>([]);
  const show = useCallback((toast: Toast) => {
    nextId += 1;
    const id = nextId;
    setToasts((current) => [...current, { ...toast, id }].slice(-STACK));
  }, []);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {/* A status region reads each toast as it arrives, not the whole stack again. */}
      <div role="status" aria-atomic="false" data-testid="toasts" className="pointer-events-none fixed right-4 bottom-4 z-50 w-80 max-w-[calc(100vw-2rem)]">
        {toasts.length > 0 ? (
          <ul className="flex flex-col gap-2">
            {toasts.map((toast) => (
              <ToastCard key={toast.id} toast={toast} onClose={() => dismiss(toast.id)} />
            ))}
          </ul>
        ) : null}
      </div>
    </ToastContext.Provider>
  );
}

/** Shows a toast; a no-op outside a ToastProvider. */
export function useToast(): (toast: Toast) => void {
  return useContext(ToastContext);
}
