export default function OverviewPage() {
  return (
    <main style={{ padding: '2rem' }}>
      <h1>driftwatch</h1>
      <p>No store is connected yet. Run <code>npm run demo</code> once the pipeline lands.</p>
    </main>
  );
}
