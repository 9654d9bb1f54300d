/**
 * @module
 * The portal's location lives in the URL hash (`#/doctor/patient/<id>`), so the node serves one
 * static page and back/forward and bookmarks still work.
 */
import { useEffect, useState } from 'react';

export function currentPath(): string[] {
  return window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(...parts: string[]): void {
  window.location.hash = `/${parts.map(encodeURIComponent).join('/')}`;
}

export function usePath(): string[] {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const on = (): void => {
      setPath(currentPath());
    };
    window.addEventListener('hashchange', on);
    return () => {
      window.removeEventListener('hashchange', on);
    };
  }, []);
  return path;
}
